"""Programme results in the browser: a network coordinator goes from the staff home to a programme's
dashboard, finds the centre that is behind, opens its figures and the exact entries behind them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, expect

from cipnet.consultations.models import Consultation
from cipnet.consultations.rollups import rebuild
from cipnet.results.models import DonorReport
from cipnet.results.tests.conftest import END, START, build_r3

from .support import assert_axe_clean, axe_check, screenshot, uk
from .test_consultations import sign_in


def test_a_coordinator_finds_the_centre_behind_and_its_entries(
    data: Any, new_context: Callable[..., BrowserContext]
) -> None:
    build_r3(data)
    short = data.centre_b
    ten = list(Consultation.objects.filter(centre=short).order_by("pk").values_list("pk", flat=True)[:10])
    Consultation.objects.filter(pk__in=ten).delete()
    rebuild(centre_ids=[short.pk], start=START, end=END)
    failures: list[str] = []

    page = sign_in(new_context(), "admin")
    page.get_by_role("link", name=uk("Results, targets and progress")).click()
    axe_check(page, label="programme list", collect=failures)
    page.get_by_role("link", name="Центри публічної інформації, етап II").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Центри публічної інформації, етап II")
    page.get_by_label(uk("Period")).select_option(label=f"{START:%d.%m.%Y} – {END:%d.%m.%Y}")
    page.get_by_role("button", name=uk("Show")).click()
    row = page.get_by_role("row", name="R3.1")
    expect(row).to_contain_text("70")
    expect(row).to_contain_text("87,5 %")
    expect(row).to_contain_text(uk("Behind"))
    axe_check(page, label="programme dashboard", collect=failures)
    screenshot(page, "results-dashboard")

    row.get_by_role("link").click()
    centre_row = page.get_by_role("row", name=short.name)
    expect(centre_row).to_contain_text(uk("Far behind"))
    expect(centre_row).to_contain_text("75 %")
    axe_check(page, label="indicator by centre", collect=failures)
    screenshot(page, "results-indicator")

    centre_row.get_by_role("link", name=uk("See them")).click()
    page.wait_for_url("**/staff/log/entries/**")
    expect(page.locator("table.compact tbody tr")).to_have_count(30)
    axe_check(page, label="the entries behind a figure", collect=failures)

    # Back to the programme: the donor's indicator table for the period, kept with its checksum.
    page.go_back()
    page.go_back()
    page.get_by_role("button", name=re.compile("^Створити таблицю показників")).click()
    report = DonorReport.objects.get()
    expect(page.get_by_role("status")).to_contain_text(report.sha256)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Завантажити \\(XLSX\\)")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes() == bytes(report.content)
    axe_check(page, label="programme dashboard with a report", collect=failures)
    assert_axe_clean(failures)


def test_the_public_results_page_on_a_phone(data: Any, new_context: Callable[..., BrowserContext]) -> None:
    programme = build_r3(data).result.programme
    programme.is_public = True
    programme.save(update_fields=["is_public"])
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    page.goto("/results/cip-2014/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Центри публічної інформації, етап II")
    expect(page.get_by_role("row", name="R3.1")).to_contain_text("80")
    failures: list[str] = []
    axe_check(page, label="public results", collect=failures)
    page.get_by_role("link", name="Що містять відкриті дані").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Відкриті дані: Центри публічної інформації, етап II")
    expect(page.get_by_role("link", name="Таблиця (CSV)")).to_have_attribute(
        "href", "/results/cip-2014/data/results.csv"
    )
    axe_check(page, label="open data", collect=failures)
    assert_axe_clean(failures)
