"""The crawl of issue 14's "done when": every public page, and every staff page for every role of the
`world`, in uk, en and pl, at 320, 390 and 1280 px wide, each checked by every function of CHECKS.

A check is a function (page, visit) → list of problems (strings); every one in CHECKS is applied
everywhere: horizontal overflow, axe-core, and interface strings in the wrong language.

Time: one browser context per (role, language), signed in once; each page is loaded once and
checked at every width by resizing the window (1280, then 390, then 320 px), so a page view costs
one navigation. axe-core runs at 390 and 1280 px and the overflow check at all three widths (the
320 px layout is the 390 px one, narrower: axe there found nothing new and doubled the time). The
crawl runs on SQLite only: what it checks is the rendered page, which the database does not change
(the PostgreSQL run of the suite covers every view through the test client). The transfer size of the
public pages is measured once per language, at 390 px, with the browser's cache off (a first visit).

Pages deliberately not crawled (and why) are in SKIPPED.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, CDPSession, Page
from playwright.sync_api import Error as PlaywrightError

from .language_check import wrong_language_problems
from .support import FROZEN_NOW, axe_check
from .test_queue import asgi_url  # noqa: F401 - the fixture: the app on uvicorn, static files included

LANGUAGES = ("uk", "en", "pl")
WIDTHS = (320, 390, 1280)
AXE_WIDTHS = (390, 1280)
MAX_PUBLIC_BYTES = 150 * 1024
PASSWORD = "correct-horse-battery"

#: One account of every staff role of the `world` (cipnet/testing.py): consultant, centre manager,
#: trainer, regional coordinator, authority official, register moderator, network administrator.
#: (coordinator_b is the same role in another region: the pages are the same templates.)
STAFF_ROLES = ("consultant_a", "manager_a", "trainer_a", "coordinator_a", "official", "moderator", "admin")

SKIPPED = {
    "/admin/…": "Django's own admin, not CIPnet's interface (network administrators only).",
    "/api/…": "JSON and the OpenAPI schema: not pages (the API has its own tests and schemathesis).",
    "/queue/<slug>/events/, board.json, ticket status.json": "streams and JSON for the pages' scripts.",
    "…/delete/, …/revert/, …/verify/, …/exceptions/, log target, queue desk": "POST-only.",
    "call-next, issue, ticket actions, kiosk-link": "POST-only.",
    "/services/<card>/ beyond the first few": "all 98 cards are in test_every_card_fits_a_phone.",
    "/reception/c/<token>/edit/ and confirm/": "a resident's own draft: test_reception walks them (with axe).",
    "/staff/log/entries/<pk>/…": "need a consultation entry: test_consultations covers them.",
    "/accounts/reset/<uid>/<token>/": "needs a reset e-mail's link (accounts tests).",
    "/export.csv, /export.xlsx, files": "downloads, not pages.",
}


@dataclass(frozen=True)
class Visit:
    path: str  # without the language prefix
    role: str
    language: str
    width: int
    public: bool

    @property
    def url(self) -> str:
        return self.path if self.language == "uk" else f"/{self.language}{self.path}"

    def __str__(self) -> str:
        return f"{self.url} [{self.role}, {self.language}, {self.width}px]"


@dataclass
class Crawl:
    public: list[str]
    staff: list[str]
    cards: list[str]
    problems: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


Check = Callable[[Page, Visit], list[str]]


def check_axe(page: Page, visit: Visit) -> list[str]:
    if visit.width not in AXE_WIDTHS:
        return []
    collected: list[str] = []
    axe_check(page, label=str(visit), collect=collected)
    return collected


# Measured against the width asked for, not window.innerWidth: a phone's browser widens its layout
# viewport to fit content that runs over, so innerWidth would hide the very overflow looked for.
OVERFLOW_JS = """(width) => {
    if (document.documentElement.scrollWidth <= width) return null;
    const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
        return false; };
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 1 && r.width > 0 && !scrolls(el)) {
            const cls = typeof el.className === 'string' && el.className.trim()
                ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
            const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls;
            culprits.push(`${name} (${Math.round(r.left)}–${Math.round(r.right)} px)`);
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, culprits: culprits.slice(0, 6)};
}"""


def check_overflow(page: Page, visit: Visit) -> list[str]:
    found = page.evaluate(OVERFLOW_JS, visit.width)
    if not found:
        return []
    return [f"{visit}: {found['scrollWidth']} px wide; overflowing: {', '.join(found['culprits'])}"]


def check_language(page: Page, visit: Visit) -> list[str]:
    """Interface text in the page's language; content kept only in Ukrainian marked lang="uk"
    (language_check.py). The words do not change with the width: checked at the widest only."""
    if visit.width != max(WIDTHS):
        return []
    return [f"{visit}: {problem}" for problem in wrong_language_problems(page, visit.language)]


CHECKS: list[Check] = [check_overflow, check_axe, check_language]


def transfer_size(page: Page, cdp: CDPSession, url: str) -> tuple[int, list[tuple[str, int]]]:
    """Bytes transferred (encoded: compressed, headers included) to load the page with an empty cache."""
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}

    def sent(event: dict[str, Any]) -> None:
        urls[event["requestId"]] = event["request"]["url"]

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = int(event["encodedDataLength"])

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # late requests (the scripts' fetches) finish
    cdp.remove_listener("Network.requestWillBeSent", sent)
    cdp.remove_listener("Network.loadingFinished", finished)
    parts = sorted(((urls.get(key, key), size) for key, size in sizes.items()), key=lambda p: -p[1])
    return sum(sizes.values()), parts


@pytest.fixture
def crawl(data: Any, monkeypatch: pytest.MonkeyPatch) -> Crawl:
    """The objects every page of the crawl needs: the catalogue, a queue with a ticket and online
    booking, an authority; and the concrete addresses built from them."""
    import cipnet.equeue.selectors
    import cipnet.equeue.services
    import cipnet.equeue.views_kiosk
    import cipnet.equeue.views_public
    import cipnet.equeue.views_staff
    from cipnet.appeals.models import Authority, AuthorityKind
    from cipnet.equeue import services as queue
    from cipnet.equeue.models import QueueTopic
    from cipnet.eservices.tests.conftest import load_catalogue_for_tests

    for module in (
        cipnet.equeue.services,
        cipnet.equeue.selectors,
        cipnet.equeue.views_kiosk,
        cipnet.equeue.views_public,
        cipnet.equeue.views_staff,
    ):
        monkeypatch.setattr(module, "now", lambda: FROZEN_NOW)

    from cipnet.eservices.models import CardStatus

    cards = sorted(i for i, c in load_catalogue_for_tests().items() if c.status != CardStatus.WITHDRAWN)
    centre = data.centre_a
    config = queue.queue_setup(actor=None, centre=centre)
    config.booking_enabled = True
    config.save(update_fields=["booking_enabled"])
    topic = QueueTopic.objects.filter(centre=centre).order_by("position").first()
    assert topic is not None
    ticket = queue.ticket_issue(centre=centre, topic=topic)
    authority = Authority.objects.create(
        slug="mykolaiv-city-council",
        name="Миколаївська міська рада",
        kind=AuthorityKind.CITY_COUNCIL,
        region=data.region_a,
        address="вул. Адміральська, 20, Миколаїв",
        email="zvernennya@mkrada.example",
    )
    cases = file_cases(data, authority)
    token, slug, card = config.kiosk_token, centre.slug, cards[0]
    day = (FROZEN_NOW + dt.timedelta(days=1)).date().isoformat()
    public = [
        "/",
        "/about/",
        "/centres/",
        "/centres/?place=Миколаїв",
        "/centres/?settlement=UA48060150010035747&place=Миколаїв",
        "/centres/?place=Немаєтакогомісця",
        f"/centres/{slug}/",
        f"/centres/{data.centre_b.slug}/",
        "/services/",
        "/services/?q=пенсія",
        f"/services/{card}/",
        f"/queue/{slug}/book/",
        f"/queue/{slug}/book/?topic={topic.pk}&day={day}",
        f"/queue/kiosk/{token}/",
        f"/queue/kiosk/{token}/topic/{topic.pk}/",
        f"/queue/kiosk/{token}/booking/",
        f"/queue/ticket/{ticket.code}/",
        f"/queue/ticket/{ticket.code}/slip/",
        f"/queue/ticket/{ticket.code}/cancel/",
        f"/queue/{slug}/board/",
        "/reception/",
        "/reception/deadline/",
        "/reception/my/",
        "/reception/new/appeal/",
        "/reception/new/info/",
        "/reception/register/",
        "/reception/register/authorities/",
        f"/reception/register/authorities/{authority.slug}/",
        "/accounts/login/",
        "/accounts/password-reset/",
        f"/reception/c/{cases.sent.follow_token}/",
        f"/reception/c/{cases.answered.follow_token}/",
        f"/reception/register/{cases.published.number}/",
    ]
    pk, office, card_pk = centre.pk, data.office_b.pk, 1
    from cipnet.eservices.models import ServiceCard

    card_pk = ServiceCard.objects.get(identifier=card).pk
    staff = [
        "/staff/",
        "/staff/centres/",
        "/staff/centres/new/",
        f"/staff/centres/{pk}/",
        f"/staff/centres/{pk}/edit/",
        f"/staff/centres/{pk}/hours/",
        "/staff/offices/",
        f"/staff/offices/{office}/",
        "/staff/services/",
        "/staff/services/new/",
        "/staff/services/synonyms/",
        "/staff/services/reports/",
        "/staff/services/import/",
        f"/staff/services/centre/{pk}/",
        f"/staff/services/{card_pk}/edit/",
        f"/staff/services/{card_pk}/history/",
        f"/staff/log/?centre={pk}",
        f"/staff/log/tally/?centre={pk}",
        "/staff/log/entries/",
        f"/staff/log/centre/{pk}/",
        "/staff/log/summary/",
        "/staff/log/candidates/",
        "/staff/queue/",
        f"/staff/queue/{pk}/settings/",
        f"/staff/queue/{pk}/settings/topics/new/",
        f"/staff/queue/{pk}/settings/desks/new/",
        f"/staff/queue/{pk}/settings/priorities/new/",
        f"/staff/queue/{pk}/stats/",
        "/staff/reception/",
        "/staff/reception/new/appeal/",
        "/staff/reception/moderation/",
        f"/staff/reception/{cases.draft.pk}/edit/",
        f"/staff/reception/{cases.sent.pk}/",
        f"/staff/reception/{cases.answered.pk}/",
        f"/staff/reception/moderation/{cases.pending.pk}/",
    ]
    return Crawl(public=public, staff=staff, cards=cards)


@dataclass(frozen=True)
class Cases:
    draft: Any  # a consultant's draft
    sent: Any  # filed at centre A, waiting for the authority
    answered: Any  # registered and answered by the official
    pending: Any  # answered and closed: waiting for a moderator
    published: Any  # in the public register


def file_cases(data: Any, authority: Any) -> Cases:
    """Appeals at every stage a page shows, filed by consultant_a at centre A to `authority`, whose
    official is the world's `official`."""
    from cipnet.appeals import publication
    from cipnet.appeals import services as reception
    from cipnet.appeals.models import AuthorityOfficial, Outcome
    from cipnet.appeals.tests.conftest import appeal_input
    from cipnet.core.clock import local

    consultant, official = data.users["consultant_a"], data.users["official"]
    official.first_name, official.last_name = "Олена", "Коваль"  # shown in the "assign to" list
    official.save(update_fields=["first_name", "last_name"])
    AuthorityOfficial.objects.create(authority=authority, user=official)

    def draft() -> Any:
        return reception.appeal_save_draft(
            actor=consultant, data=appeal_input(authority), centre=data.centre_a, consent=True
        )

    def answered() -> Any:
        case = reception.appeal_submit(actor=consultant, appeal=draft())
        case = reception.appeal_register(
            actor=official,
            appeal=case,
            registration_number=f"П-{case.pk}",
            registered_on=local(case.received_at).date(),
        )
        return reception.appeal_answer(
            actor=official, appeal=case, outcome=Outcome.POSITIVE, text="Освітлення відремонтовано, дякуємо."
        )

    pending = reception.appeal_close(actor=consultant, appeal=answered())
    to_publish = reception.appeal_close(actor=consultant, appeal=answered())
    published = publication.appeal_moderate(
        actor=data.users["admin"],
        appeal=to_publish,
        publish=True,
        subject=to_publish.public_subject,
        text=to_publish.public_text,
        answer=to_publish.public_answer,
    )
    return Cases(
        draft=draft(),
        sent=reception.appeal_submit(actor=consultant, appeal=draft()),
        answered=answered(),
        pending=pending,
        published=published,
    )


def sign_in(context: BrowserContext, username: str) -> None:
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    page.close()


def visit_all(
    page: Page, visits: list[Visit], checks: list[Check], problems: list[str], widths: tuple[int, ...] = WIDTHS
) -> int:
    """Load each address once and, if it answered 200, run every check at every width (the window
    resized, widest first); return how many (page, width) views were checked."""
    checked = 0
    for visit in visits:
        page.set_viewport_size(viewport_size(widths[0]))
        try:
            response = page.goto(visit.url, wait_until="load")
        except PlaywrightError as exc:
            problems.append(f"{visit}: {exc.message.splitlines()[0]}")
            page.goto("about:blank")  # an error page must not interrupt the next navigation
            continue
        status = response.status if response else 0
        if status != 200:
            if visit.public or status not in (403, 404):  # a staff page refused to a role is expected
                problems.append(f"{visit}: answered {status}")
            continue
        for width in widths:
            if width != widths[0]:
                page.set_viewport_size(viewport_size(width))
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            at_width = Visit(visit.path, visit.role, visit.language, width, visit.public)
            checked += 1
            for check in checks:
                problems.extend(check(page, at_width))
    return checked


def crawl_context(new_context: Callable[..., BrowserContext], width: int) -> BrowserContext:
    """A context for one width. The board's Server-Sent Events stream is refused (the board then
    polls): the live server here is WSGI, where an open stream would hold a thread past the test."""
    context = new_context(**viewport(width))
    context.route("**/events/**", lambda route: route.abort())
    return context


def viewport_size(width: int) -> dict[str, int]:
    return {"width": width, "height": 844 if width < 600 else 900}


def viewport(width: int) -> dict[str, Any]:
    phone = width < 600
    return {"viewport": viewport_size(width), "is_mobile": phone, "has_touch": phone}


@pytest.fixture(autouse=True)
def _sqlite_only() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the crawl checks rendered pages; it runs once, on SQLite (see the module's docstring)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_crawl_public_pages(crawl: Crawl, new_context: Callable[..., BrowserContext], language: str) -> None:
    started = time.monotonic()
    problems: list[str] = []
    checked = 0
    page = crawl_context(new_context, WIDTHS[-1]).new_page()
    visits = [Visit(path, "anonymous", language, WIDTHS[-1], True) for path in crawl.public]
    checked += visit_all(page, visits, CHECKS, problems, widths=tuple(sorted(WIDTHS, reverse=True)))
    assert checked, "nothing was checked"
    print(f"\npublic pages, {language}: {checked} page views in {time.monotonic() - started:.1f} s")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_at_most_150_kb_on_a_first_visit(
    crawl: Crawl,
    new_context: Callable[..., BrowserContext],
    language: str,
    asgi_url: str,  # noqa: F811
) -> None:
    """Measured on the ASGI server (as `make run` serves), where the static files pass through the
    compression middleware; pytest-django's live server serves them itself, uncompressed. (Production
    serves WhiteNoise's precompressed files.)"""
    page = new_context(base_url=asgi_url, **viewport(390)).new_page()
    page.context.route("**/events/**", lambda route: route.abort())
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    report, problems = [], []
    for path in crawl.public:
        visit = Visit(path, "anonymous", language, 390, True)
        total, parts = transfer_size(page, cdp, visit.url)
        report.append(f"{total / 1024:6.1f} KB  {visit.url}")
        if total > MAX_PUBLIC_BYTES:
            biggest = ", ".join(f"{url.rsplit('/', 1)[-1] or url} {size / 1024:.0f} KB" for url, size in parts[:4])
            problems.append(f"{visit.url}: {total / 1024:.0f} KB (biggest: {biggest})")
    print("\n" + "\n".join(report))
    assert not problems, "over 150 KB on a first visit:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_crawl_staff_pages(crawl: Crawl, new_context: Callable[..., BrowserContext], role: str) -> None:
    started = time.monotonic()
    problems: list[str] = []
    checked = 0
    for language in LANGUAGES:
        context = crawl_context(new_context, WIDTHS[-1])
        sign_in(context, role)
        page = context.new_page()
        visits = [Visit(path, role, language, WIDTHS[-1], False) for path in crawl.staff]
        checked += visit_all(page, visits, CHECKS, problems, widths=tuple(sorted(WIDTHS, reverse=True)))
    assert checked, f"{role} saw no staff page"
    print(f"\nstaff pages, {role}: {checked} page views in {time.monotonic() - started:.1f} s")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_card_fits_a_phone(crawl: Crawl, new_context: Callable[..., BrowserContext], language: str) -> None:
    """All service cards (long addresses of e-services among them) at 320 px: nothing runs off the screen."""
    page = crawl_context(new_context, 320).new_page()
    problems: list[str] = []
    visits = [Visit(f"/services/{card}/", "anonymous", language, 320, True) for card in crawl.cards]
    visit_all(page, visits, [check_overflow], problems, widths=(320,))
    assert not problems, f"{len(problems)} card(s) overflow:\n" + "\n".join(problems)
