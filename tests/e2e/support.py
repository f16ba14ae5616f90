"""Helpers for the browser tests: axe-core checks, screenshots, viewports and focus styles."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ElementHandle, Page

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCREENSHOTS = HERE / "screenshots"
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_LOG = SCREENSHOTS / "axe-log.jsonl"

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

# A Wednesday, 11:00 in Kyiv: the test centres (Mon–Fri 9–13 and 14–18) are open, so "open now" is stable.
FROZEN_NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)

# Mykolaiv, next to the Kropyvnytskyi library (centre A of the `world`).
MYKOLAIV = {"latitude": 46.9659, "longitude": 31.9974}

FAILING_IMPACTS = ("serious", "critical")
_axe_source: list[str] = []


def axe_check(page: Page, *, label: str = "", collect: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page; fail listing every serious or critical violation (rule, help, nodes).

    With `collect`, the failure message is appended to that list instead, so a journey can go on and
    report every page's problems at its end (`assert_axe_clean`).

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
    (script-src 'self' + nonce) does not govern, so the site is checked with its real CSP on.
    Every violation, whatever its impact, is appended to screenshots/axe-log.jsonl for review.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        if not _axe_source:
            _axe_source.append(AXE_JS.read_text(encoding="utf-8"))
        page.evaluate(_axe_source[0])
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary,
                                         html: n.html.slice(0, 300)})),
            }));
        }"""
    )
    lang = page.evaluate("() => document.documentElement.lang")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with AXE_LOG.open("a", encoding="utf-8") as log:
        entry = {"label": label, "url": page.url, "lang": lang, "violations": violations}
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if failing:
        lines = [f"axe-core: {len(failing)} serious/critical violation(s) on {page.url} ({label or lang}):"]
        for v in failing:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"]:
                summary = (node["summary"] or "").replace("\n", " / ")
                lines.append(f"    {node['target']}: {summary}")
        if collect is not None:
            collect.append("\n".join(lines))
            return violations
        pytest.fail("\n".join(lines), pytrace=False)
    return violations


def assert_axe_clean(collected: list[str]) -> None:
    if collected:
        pytest.fail("\n\n".join(collected), pytrace=False)


def screenshot(page: Page, name: str, *, docs_name: str | None = None, full_page: bool = True) -> Path:
    """Save tests/e2e/screenshots/<name>.png (gitignored).

    With CIPNET_UPDATE_DOC_SCREENSHOTS=1 the shots named for the documentation are also copied to
    docs/screenshots/<docs_name>, so the committed images change only when someone means them to.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    if docs_name and os.environ.get("CIPNET_UPDATE_DOC_SCREENSHOTS") == "1":
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_SCREENSHOTS / docs_name)
    return path


FOCUS_STYLE_JS = """el => {
    const s = getComputedStyle(el);
    const transparent = c => c === "transparent" || /rgba\\(.*,\\s*0\\)$/.test(c);
    // An outline shows only if it has a style, a width and a colour one can see.
    const outline = s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0 || transparent(s.outlineColor)
        ? "no outline" : `outline ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`;
    const background = transparent(s.backgroundColor) ? "no background" : `background ${s.backgroundColor}`;
    return [outline, `box-shadow ${s.boxShadow}`, background, `color ${s.color}`,
            `text-decoration ${s.textDecorationLine}`].join("; ");
}"""


def style_of(element: ElementHandle) -> str:
    """What a focus indicator can change, as one sees it: a visible outline, box-shadow, colours."""
    return str(element.evaluate(FOCUS_STYLE_JS))


def describe(element: ElementHandle) -> str:
    return str(
        element.evaluate(
            "el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '')"
            " + ' \"' + (el.innerText || el.value || '').trim().slice(0, 40) + '\"'"
        )
    )


# The Ukrainian interface text the tests look for, keyed by the English msgid it translates
# (cipnet/locale/uk/LC_MESSAGES/django.po). Written out, not read from the catalogue, so that a lost
# or changed translation fails a test.
UK: dict[str, str] = {
    "Which place do you mean?": "Який саме населений пункт?",
    "Add the centre": "Додати центр",
    "Find a centre": "Знайти центр",
    "City, town or village": "Місто, селище чи село",
    "Find centres near me": "Знайти найближчі центри",
    "Skip to main content": "Перейти до основного вмісту",
    "Region": "Регіон",
    "Open now": "Відчинено зараз",
    "Accessibility needs": "Потреби щодо доступності",
    "Step-free entrance": "Вхід без сходинок",
    "Place not found": "Населений пункт не знайдено",
    "Opening hours": "Графік роботи",
    "today": "сьогодні",
    "closed": "зачинено",
    "Languages": "Мови",
    "Ukrainian": "Українська",
    "English": "Англійська",
    "Centres nearest to you": "Найближчі до вас центри",
    "%(distance)s km from you": "%(distance)s км від вас",
    "Username": "Імʼя користувача",
    "Password": "Пароль",
    "Sign in": "Увійти",
    "Change opening hours": "Змінити графік роботи",
    "Monday": "Понеділок",
    "before the break": "до перерви",
    "after the break": "після перерви",
    "opens": "відчиняється",
    "closes": "зачиняється",
    "Save opening hours": "Зберегти графік роботи",
    "The closing time must be later than the opening time.": "Час закриття має бути пізніший за час відкриття.",
    "Opening hours saved.": "Графік роботи збережено.",
    "There is a problem": "Виникла проблема",
    "What do you need to do?": "Що вам потрібно зробити?",
    "Find a service": "Знайти послугу",
    "Step by step": "Крок за кроком",
    "Print for the visitor": "Надрукувати для відвідувача",
    "Record a consultation": "Записати консультацію",
    "Save the entry": "Зберегти запис",
    "Save the lines": "Зберегти рядки",
    "Save changes": "Зберегти зміни",
    "Call next": "Викликати наступного",
    "Did not come": "Не підійшов",
    "Start": "Почати обслуговування",
    "Finish": "Завершити",
    "Nobody is waiting.": "Ніхто не очікує.",
    "Results, targets and progress": "Результати, цілі й поступ",
    "Period": "Період",
    "Show": "Показати",
    "Behind": "Відстає",
    "Far behind": "Значно відстає",
    "See them": "Переглянути",
    "Submit the month": "Подати місяць",
    "Submitted by the centre": "Подано центром",
    "Submit and approve months": "Подати й затвердити місяці",
    "Month": "Місяць",
    "Approve": "Затвердити",
    "Approved by the region": "Затверджено регіоном",
    "Approved by the network": "Затверджено мережею",
    "Yes, delete it": "Так, видалити",
    "Reason for the correction": "Причина виправлення",
}


def uk(msgid: str) -> str:
    return UK[msgid]


def full_label_uk(raion: str, oblast: str) -> str:
    """`Territory.full_label` of a city called Миколаїв in the Ukrainian interface."""
    return f"м. Миколаїв, Миколаївська громада, {raion} р\u2011н, {oblast} обл."  # non-breaking hyphen


LABEL_MYKOLAIV_OBLAST = full_label_uk("Миколаївський", "Миколаївська")
LABEL_LVIV_OBLAST = full_label_uk("Стрийський", "Львівська")
