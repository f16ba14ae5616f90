"""The donor report's narrative PDF: made from the frozen figures when the report is made, read back
with pypdf (the Ukrainian text, the figures, embedded fonts, numbered pages), kept with its SHA-256
whatever happens to the rows afterwards, downloaded by the network's staff only, in uk, en and pl; a
server that cannot load WeasyPrint still makes the table and says so."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from cipnet.accounts.models import Role
from cipnet.consultations.models import Consultation
from cipnet.consultations.rollups import rebuild
from cipnet.directory.tests.conftest import katottg_lines  # noqa: F401 - a fixture
from cipnet.directory.tests.test_demo import demo_territory_rows  # noqa: F401 - a fixture
from cipnet.results import narrative, services
from cipnet.results.models import DonorReport, Indicator, Programme
from cipnet.results.tests.conftest import END, START
from cipnet.results.tests.test_demo import loaded  # noqa: F401 - a fixture
from cipnet.testing import World, make_user


def pdf_text(content: bytes) -> tuple[PdfReader, list[str]]:
    """The reader and each page's text with its white space made single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return reader, [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font the pages use → whether its glyphs are embedded in the file."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            inner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = inner["/FontDescriptor"].get_object()
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def admin_client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["admin"])
    return client


def test_the_demo_report_reads_back_in_ukrainian_with_its_800(loaded: None) -> None:  # noqa: F811
    programme = Programme.objects.get(code="cip-2014")
    admin = make_user("network-admin", {"role": Role.NETWORK_ADMIN})
    admin.full_name = "Оксана Петренко"
    admin.save(update_fields=["full_name"])
    report = services.donor_report_generate(actor=admin, programme=programme)
    content = bytes(report.pdf)
    assert content.startswith(b"%PDF-")
    assert report.pdf_sha256 == hashlib.sha256(content).hexdigest()
    assert report.language == "uk"
    (r32,) = [row for row in report.figures["indicators"] if row["code"] == "R3.2"]
    assert (r32["periods"][0]["actual"], r32["periods"][0]["target"], r32["periods"][0]["status"]) == (
        "800",
        "800.00",
        "green",
    )

    reader, pages = pdf_text(content)
    text = " ".join(pages)
    assert len(pages) >= 2
    assert pages[0].startswith("Звіт для донора Центри публічної інформації у Львівській, Миколаївській,")
    assert programme.title in text
    assert "Донор Міністерство закордонних справ Республіки Польща" in pages[0]
    assert "Партнери Stowarzyszenie «Centrum Współpracy Polska-Wschód» ГО «Європейський діалог»" in pages[0]
    assert "Бюджет 332 700 PLN" in pages[0]
    assert "Період звіту 01.03.2014 – 30.11.2014" in pages[0]
    assert "Хто склав Оксана Петренко" in pages[0]
    assert "R3.2 Надані послуги (вересень–листопад)" in text
    assert "Досягнуто: 800 із цілі 800 (100 %) — ✓ За планом" in text
    assert "R1.1 ЦПІ працюють Досягнуто: 20 із цілі 20 (100 %) — ✓ За планом" in text
    assert "Проєкт оновленої програми передано Львівській обласній раді." in text  # R6.1, in words
    dubno = "Центр інформації публічної у Дубенській центральній бібліотеці Рівненська область"
    assert f"{dubno} 40 40 100 % ✓ За планом" in text  # R3.2 by centre
    assert f"Таблиця показників (Excel, XLSX) {report.sha256}" in text
    assert f"Файл діяльності IATI 2.03 (XML) {report.iati_sha256}" in text
    for number, page in enumerate(pages, start=1):
        assert page.endswith(f"Сторінка {number} з {len(pages)}"), page[-80:]
    used = fonts(reader)
    assert used and all(used.values()), used
    assert {name.split("+", 1)[1] for name in used} >= {"DejaVu-Sans", "DejaVu-Sans-Bold"}  # subsets, embedded

    client = Client()
    client.force_login(admin)
    url = reverse("results:report_pdf", args=["cip-2014", report.pk])
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == f'attachment; filename="cip-2014_2014-03-01_2014-11-30_{report.pk}_uk.pdf"'
    assert first.content == second.content == content
    page = client.get(reverse("results:programme", args=["cip-2014"])).content.decode()
    assert f'href="{url}"' in page and "Звіт (PDF) — Українська" in page


def test_the_stored_pdf_does_not_change_when_the_consultations_do(world: World, r3: Indicator) -> None:
    programme = r3.result.programme
    report = services.donor_report_generate(actor=world.users["admin"], programme=programme, start=START, end=END)
    kept = (bytes(report.pdf), report.pdf_sha256)
    _reader, pages = pdf_text(kept[0])
    assert "Досягнуто: 80 із цілі 80 (100 %) — ✓ За планом" in " ".join(pages)
    rows = Consultation.objects.filter(centre=world.centre_a).order_by("pk")
    Consultation.objects.filter(pk__in=list(rows.values_list("pk", flat=True)[:5])).delete()
    rebuild(centre_ids=[world.centre_a.pk], start=START, end=END)
    report.refresh_from_db()
    assert (bytes(report.pdf), report.pdf_sha256) == kept
    download = admin_client(world).get(reverse("results:report_pdf", args=["cip-2014", report.pk]))
    assert download.content == kept[0]
    later = services.donor_report_generate(actor=world.users["admin"], programme=programme, start=START, end=END)
    _reader, pages = pdf_text(bytes(later.pdf))
    assert "Досягнуто: 75 із цілі 80 (93,75 %) — ✓ За планом" in " ".join(pages)
    assert later.pdf_sha256 != report.pdf_sha256


def test_only_the_network_downloads_it_and_anonymous_visitors_sign_in(world: World, r3: Indicator) -> None:
    report = services.donor_report_generate(actor=None, programme=r3.result.programme)
    url = reverse("results:report_pdf", args=["cip-2014", report.pk])
    assert admin_client(world).get(url).status_code == 200
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    r3.result.programme.centres.set([world.centre_a])
    for name in ("manager_b", "coordinator_a", "manager_a"):  # outside the programme; inside, not the network
        client = Client()
        client.force_login(world.users[name])
        assert client.get(url).status_code == 404, name
    other = services.programme_create(actor=None, code="other", title="Інша", donor="Д", starts_on=START, ends_on=END)
    assert admin_client(world).get(reverse("results:report_pdf", args=[other.code, report.pk])).status_code == 404
    assert admin_client(world).get(reverse("results:report_pdf", args=["cip-2014", report.pk + 1])).status_code == 404


EN_TITLE, PL_TITLE = "Public Information Centres, stage II", "Centra Informacji Publicznej, etap II"


@pytest.mark.parametrize(
    ("language", "title", "words"),
    [
        ("en", EN_TITLE, ("Donor report", "Achieved: 80 of the target 80", "Page 1 of")),
        ("pl", PL_TITLE, ("Raport dla darczyńcy", "Osiągnięto: 80 z celu 80", "Strona 1 z")),
    ],
)
def test_english_and_polish_reports_render_their_titles(
    world: World, r3: Indicator, language: str, title: str, words: tuple[str, ...]
) -> None:
    programme = r3.result.programme
    programme.title_en, programme.title_pl = EN_TITLE, PL_TITLE
    programme.save(update_fields=["title_en", "title_pl"])
    response = admin_client(world).post(
        reverse("results:report_generate", args=["cip-2014"]),
        {"period": "custom", "start": START.isoformat(), "end": END.isoformat(), "language": language},
    )
    assert response.status_code == 302
    report = DonorReport.objects.get()
    assert report.language == language
    _reader, pages = pdf_text(bytes(report.pdf))
    text = " ".join(pages)
    assert pages[0].startswith(f"{words[0]} {title}")
    for word in words:
        assert word in text
    assert "Надано послуг" in text  # an indicator with no title in that language keeps its Ukrainian one


def test_a_language_not_offered_is_refused_and_nothing_made(world: World, r3: Indicator) -> None:
    with pytest.raises(ValidationError) as refused:
        services.donor_report_generate(actor=None, programme=r3.result.programme, language="de")
    assert refused.value.message_dict == {"language": ["Виберіть українську, англійську або польську."]}
    response = admin_client(world).post(
        reverse("results:report_generate", args=["cip-2014"]),
        {"period": "custom", "start": START.isoformat(), "end": END.isoformat(), "language": "de"},
        follow=True,
    )
    assert response.status_code == 200 and not DonorReport.objects.exists()
    assert "Зробить коректний вибір, de немає серед варіантів вибору." in response.content.decode()


def test_without_weasyprint_the_table_is_made_and_the_page_says_why(
    world: World, r3: Indicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> Any:
        raise narrative.Unavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(narrative, "_weasyprint", missing)
    response = admin_client(world).post(
        reverse("results:report_generate", args=["cip-2014"]),
        {"period": "custom", "start": START.isoformat(), "end": END.isoformat()},
        follow=True,
    )
    report = DonorReport.objects.get()
    assert (bytes(report.pdf), report.pdf_sha256) == (b"", "")
    assert report.sha256 == hashlib.sha256(bytes(report.content)).hexdigest()
    html = response.content.decode()
    assert "Не вдалося зробити звіт PDF на цьому сервері" in html  # the notice after making it
    assert "PDF не вдалося зробити на цьому сервері." in html  # and in the list of reports
    assert reverse("results:report_pdf", args=["cip-2014", report.pk]) not in html
    assert admin_client(world).get(reverse("results:report_pdf", args=["cip-2014", report.pk])).status_code == 404


def test_corrections_in_the_figures_are_listed_with_date_centre_month_and_reason(world: World, r3: Indicator) -> None:
    figures = services.donor_report_generate(actor=None, programme=r3.result.programme).figures
    figures["corrections"] = [
        {
            "at": "2014-12-02T11:30+02:00",
            "centre": "Дубно",
            "month": "2014-10-01",
            "action": "Видалено",
            "record": "consultation 7",
            "status": "Затверджено мережею",
            "reason": "Подвійний запис",
        },
        {
            "at": "2014-12-03T10:00+02:00",
            "centre": "Сарни",
            "month": "2014-11-01",
            "action": "Змінено",
            "record": "consultation 9",
            "status": "Подано центром",
            "reason": "Запис не того дня",
        },
    ]
    content = narrative.narrative_pdf(
        figures, language="uk", generated_at=dt.datetime(2014, 12, 5, 8, tzinfo=dt.UTC), generated_by="",
        checksums={"xlsx": "a" * 64, "iati": ""},
    )  # fmt: skip
    _reader, pages = pdf_text(content)
    text = " ".join(pages)
    assert "Виправлення після подання" in text
    assert "02.12.2014 Дубно 10.2014 Видалено consultation 7 Подвійний запис" in text
    assert "03.12.2014 Сарни 11.2014 Змінено consultation 9 Запис не того дня" in text
    assert "Щомісячні звіти центрів" in text  # the months' approval, frozen with the figures
    assert f"Таблиця показників (Excel, XLSX) {'a' * 64}" in text and "IATI" not in text


def test_the_fetcher_refuses_every_address_but_inline_data() -> None:
    fetcher = narrative.local_only_fetcher()
    for url in ("https://fonts.example.org/font.woff2", "http://127.0.0.1/x.png", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher(url)
    assert fetcher("data:text/plain,ok").read() == b"ok"


def test_the_footer_is_the_translation_with_the_page_counters() -> None:
    assert (
        narrative.page_footer_css("Сторінка %(page)s з %(pages)s") == '"Сторінка " counter(page) " з " counter(pages)'
    )
    assert narrative.page_footer_css('%(pages)s: "%(page)s"') == 'counter(pages) ": \\"" counter(page) "\\""'
