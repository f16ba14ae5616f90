"""Donor reports: the indicator tracking table read back with openpyxl equals the figures cell by cell;
a report keeps its figures and checksum when the rows behind it change; only the network makes them."""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cipnet.consultations.models import Consultation
from cipnet.consultations.rollups import rebuild
from cipnet.core.errors import Forbidden
from cipnet.results import services
from cipnet.results.figures import figure
from cipnet.results.models import DonorReport, Indicator, Measure
from cipnet.results.reports import report_periods
from cipnet.results.sources import Scope
from cipnet.results.tests.conftest import END, START
from cipnet.testing import World


def _number(cell: object) -> Decimal | None:
    return None if cell is None else Decimal(str(cell))


def test_the_table_read_back_equals_the_figures_cell_by_cell(world: World, r3: Indicator) -> None:
    programme = r3.result.programme
    services.manual_value_record(
        actor=None, indicator=services.indicator_add(
            actor=None, result=r3.result, code="R3.9", title="Якісний", measure=Measure.QUALITATIVE
        ), scope=Scope(), starts_on=START, ends_on=END, text="Програму оновлено",
    )  # fmt: skip
    report = services.donor_report_generate(actor=world.users["admin"], programme=programme)
    assert report.sha256 == hashlib.sha256(bytes(report.content)).hexdigest()
    book = openpyxl.load_workbook(io.BytesIO(bytes(report.content)), data_only=True)
    sheet = book.worksheets[0]
    periods = report_periods(programme, programme.starts_on, programme.ends_on)
    assert periods == [(programme.starts_on, programme.ends_on), (START, END)]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert set(rows) == {"R3.1", "R3.9"}
    for indicator in programme.results.get().indicators.all():
        row = rows[indicator.code]
        assert row[0] == indicator.result.code and row[2] == indicator.title
        assert _number(row[5]) == indicator.target
        for i, (a, b) in enumerate(periods):
            fig = figure(indicator, scope=Scope(), start=a, end=b, on=b)
            target, actual, percent = row[6 + 3 * i : 9 + 3 * i]
            assert _number(target) == fig.target
            assert (actual if indicator.measure == Measure.QUALITATIVE else _number(actual)) == (
                fig.text if indicator.measure == Measure.QUALITATIVE else fig.actual
            )
            assert _number(percent) == fig.percent_of_target
    centres = {(row[0], row[2]): row for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    for centre in (world.centre_a, world.centre_b):
        row = centres[(centre.display_name, "R3.1")]
        fig = figure(r3, scope=Scope(centre_id=centre.pk), start=programme.starts_on, end=programme.ends_on)
        assert (_number(row[3]), _number(row[4])) == (fig.target, fig.actual) == (40, 40)


def test_a_report_keeps_its_figures_and_checksum_when_rows_change(world: World, r3: Indicator) -> None:
    programme = r3.result.programme
    first = services.donor_report_generate(actor=None, programme=programme, start=START, end=END)
    kept = (bytes(first.content), first.sha256, first.figures)
    Consultation.objects.filter(
        pk__in=list(Consultation.objects.filter(centre=world.centre_a).values_list("pk", flat=True)[:5])
    ).delete()
    rebuild(centre_ids=[world.centre_a.pk], start=START, end=END)
    first.refresh_from_db()
    assert (bytes(first.content), first.sha256, first.figures) == kept
    second = services.donor_report_generate(actor=None, programme=programme, start=START, end=END)
    assert second.sha256 != first.sha256
    assert second.figures["indicators"][0]["periods"][0]["actual"] == "75"
    assert first.figures["indicators"][0]["periods"][0]["actual"] == "80"


def test_only_the_network_makes_reports_and_days_must_be_inside(world: World, r3: Indicator) -> None:
    programme = r3.result.programme
    with pytest.raises(Forbidden):
        services.donor_report_generate(actor=world.users["coordinator_a"], programme=programme)
    with pytest.raises(ValidationError):
        services.donor_report_generate(actor=None, programme=programme, start=END, end=START)
    with pytest.raises(ValidationError):
        services.donor_report_generate(actor=None, programme=programme, start=START.replace(year=2013))
    assert not DonorReport.objects.exists()


def test_making_and_downloading_a_report_in_the_browser_pages(world: World, r3: Indicator) -> None:
    admin, coordinator = Client(), Client()
    admin.force_login(world.users["admin"])
    coordinator.force_login(world.users["coordinator_a"])
    url = reverse("results:report_generate", args=["cip-2014"])
    response = admin.post(url, {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}, follow=True)
    assert response.status_code == 200
    report = DonorReport.objects.get()
    assert report.sha256 in response.content.decode()
    download = admin.get(reverse("results:report_download", args=["cip-2014", report.pk]))
    assert download.status_code == 200 and download.content == bytes(report.content)
    assert "attachment" in download["Content-Disposition"]
    assert coordinator.get(reverse("results:report_download", args=["cip-2014", report.pk])).status_code == 404
    assert coordinator.post(url, {}).status_code == 403
    bad = admin.post(url, {"period": "custom", "start": "2014-11-30", "end": "2014-09-01"}, follow=True)
    assert DonorReport.objects.count() == 1 and bad.status_code == 200
    assert "Перший день пізніший за останній." in bad.content.decode()
