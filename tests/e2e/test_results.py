"""Programme results in the browser: a network coordinator goes from the staff home to a programme's
dashboard, finds the centre that is behind, opens its figures and the exact entries behind them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, expect

from cipnet.consultations.models import Consultation
from cipnet.consultations.rollups import rebuild
from cipnet.reporting import services
from cipnet.results.models import DonorReport
from cipnet.results.tests.conftest import END, START, build_r3

from .support import assert_axe_clean, axe_check, screenshot, uk
from .test_consultations import sign_in

OCTOBER = dt.date(2014, 10, 1)


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

    # Back to the programme: the donor report for the period (PDF and indicator table), kept with checksums.
    page.go_back()
    page.go_back()
    expect(page.get_by_label("Мова звіту PDF")).to_have_value("uk")
    page.get_by_role("button", name=re.compile("^Скласти звіт за")).click()
    report = DonorReport.objects.get()
    expect(page.get_by_role("status")).to_contain_text(report.sha256)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Завантажити \\(XLSX\\)")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes() == bytes(report.content)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Звіт \\(PDF\\) — Українська")).click()
    span = f"{report.starts_on:%Y-%m-%d}_{report.ends_on:%Y-%m-%d}"
    assert download.value.suggested_filename == f"cip-2014_{span}_{report.pk}_uk.pdf"
    assert Path(download.value.path()).read_bytes() == bytes(report.pdf) != b""
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
    screenshot(page, "results-open-data", docs_name="results-open-data.png")
    assert_axe_clean(failures)


def test_a_month_goes_from_the_centre_to_the_network_and_into_the_report(
    data: Any, new_context: Callable[..., BrowserContext]
) -> None:
    """The coordinator's month: the centres submit October, the region and the network approve it, a
    manager corrects an entry of the approved month with a reason, and the donor report shows it."""
    build_r3(data)
    failures: list[str] = []
    month = "2014-10"

    manager = sign_in(new_context(), "manager_a")
    manager.goto(f"/staff/results/cip-2014/months/?month={month}")
    expect(manager.get_by_role("heading", level=1)).to_contain_text("жовтень 2014", ignore_case=True)
    manager.get_by_role("button", name=re.compile("^" + uk("Submit the month"))).click()
    expect(manager.get_by_role("status")).to_contain_text("Жовтень 2014 подано")
    row = manager.get_by_role("row", name=re.compile(data.centre_a.name))
    expect(row).to_contain_text(uk("Submitted by the centre"))
    axe_check(manager, label="monthly reports (manager)", collect=failures)
    services.month_submit(actor=data.users["manager_b"], centre=data.centre_b, month=OCTOBER)

    coordinator = sign_in(new_context(), "coordinator_a")
    coordinator.get_by_role("link", name=uk("Results, targets and progress")).click()
    coordinator.get_by_role("link", name="Центри публічної інформації, етап II").click()
    coordinator.get_by_role("link", name=uk("Submit and approve months")).click()
    coordinator.get_by_label(uk("Month")).select_option(month)
    coordinator.get_by_role("button", name=uk("Show")).click()
    coordinator.get_by_role("button", name=re.compile(uk("Approve") + " ")).first.click()
    expect(coordinator.get_by_role("row", name=re.compile(data.centre_a.name))).to_contain_text(
        uk("Approved by the region")
    )
    axe_check(coordinator, label="monthly reports (region)", collect=failures)

    admin = sign_in(new_context(), "admin")
    admin.goto(f"/staff/results/cip-2014/months/?month={month}")
    expect(admin.get_by_role("main")).to_contain_text("2 з 2")
    admin.get_by_role("button", name=re.compile("^Затвердити")).first.click()
    expect(admin.get_by_role("row", name=re.compile(data.centre_a.name))).to_contain_text(uk("Approved by the network"))
    screenshot(admin, "results-months", docs_name="results-months.png")
    axe_check(admin, label="monthly reports (network)", collect=failures)

    # A manager corrects an entry of the approved month: asked why, then recorded.
    entry = Consultation.objects.filter(centre=data.centre_a, day__month=10, day__year=2014).first()
    manager.goto(f"/staff/log/entries/{entry.pk}/delete/")
    manager.get_by_role("button", name=uk("Yes, delete it")).click()
    expect(manager.get_by_role("alert")).to_be_visible()
    manager.get_by_label(uk("Reason for the correction")).fill("Відвідувача записано двічі")
    manager.get_by_role("button", name=uk("Yes, delete it")).click()
    manager.wait_for_url("**/staff/log/entries/")
    assert not Consultation.objects.filter(pk=entry.pk).exists()

    # The network's dashboard shows the months and the correction; the report keeps them.
    admin.goto("/staff/results/cip-2014/")
    admin.get_by_label(uk("Period")).select_option(label=f"{START:%d.%m.%Y} – {END:%d.%m.%Y}")
    admin.get_by_role("button", name=uk("Show")).click()
    expect(admin.get_by_role("main")).to_contain_text("Відвідувача записано двічі")
    admin.get_by_role("button", name=re.compile("^Скласти звіт за")).click()
    expect(admin.get_by_role("status")).to_be_visible()
    report = DonorReport.objects.get()
    assert report.figures["corrections"][0]["reason"] == "Відвідувача записано двічі"
    with admin.expect_download() as download:
        admin.get_by_role("link", name=re.compile("^Завантажити \\(XLSX\\)")).click()
    assert Path(download.value.path()).read_bytes() == bytes(report.content)
    axe_check(admin, label="dashboard with months and a correction", collect=failures)

    for prefix, heading in (("/en", "Monthly reports of the centres: October 2014"),
                            ("/pl", "Sprawozdania miesięczne centrów:")):  # fmt: skip
        admin.goto(f"{prefix}/staff/results/cip-2014/months/?month={month}")
        expect(admin.get_by_role("heading", level=1)).to_contain_text(heading)
        axe_check(admin, label=f"monthly reports {prefix}", collect=failures)
    assert_axe_clean(failures)
