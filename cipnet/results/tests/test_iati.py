"""The IATI 2.03 activity file made with a donor report validates against the official schema with no
error, carries the frozen figures, and is left out (not invented) when the programme is not in IATI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from cipnet.results import iati, services
from cipnet.results.models import Aggregation, Indicator, Measure
from cipnet.results.sources import Scope
from cipnet.results.tests.conftest import END, START
from cipnet.testing import World

SCHEMA_DIR = Path(iati.__file__).resolve().parent / "data" / "iati"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd")))


def _register(indicator: Indicator) -> None:
    programme = indicator.result.programme
    programme.iati_identifier = "XX-DEMO-ED-cip-2014"
    programme.reporting_org, programme.reporting_org_ref, programme.reporting_org_type = "ГО «Тест»", "XX-DEMO-ED", "22"
    programme.title_en = "Public Information Centres, stage II"
    programme.save()


def test_the_activity_file_validates_with_no_error(world: World, r3: Indicator, schema: etree.XMLSchema) -> None:
    _register(r3)
    result = r3.result
    services.indicator_add(
        actor=None, result=result, code="R3.5", title="Програма", measure=Measure.QUALITATIVE, aggregation="latest"
    )
    services.manual_value_record(
        actor=None, indicator=result.indicators.get(code="R3.5"), scope=Scope(), starts_on=START, ends_on=END,
        text="Передано обласній раді",
    )  # fmt: skip
    services.indicator_add(actor=None, result=result, code="R3.6", title="Частка", measure=Measure.PERCENTAGE,
                           aggregation=Aggregation.RATIO, source="appeals_positive_share")  # fmt: skip
    report = services.donor_report_generate(actor=None, programme=result.programme)
    assert report.iati_sha256
    document = etree.fromstring(bytes(report.iati_xml))
    assert schema.validate(document), schema.error_log
    activity = document.find("iati-activity")
    assert activity.findtext("iati-identifier") == "XX-DEMO-ED-cip-2014"
    titles = activity.findall("title/narrative")
    assert [t.text for t in titles] == ["Центри публічної інформації, етап II", "Public Information Centres, stage II"]
    (indicator,) = [i for i in activity.iter("indicator") if i.findtext("title/narrative").startswith("R3.1 ")]
    assert indicator.get("measure") == "1" and indicator.get("ascending") == "1"
    periods = {
        (p.find("period-start").get("iso-date"), p.find("period-end").get("iso-date")): p
        for p in indicator.findall("period")
    }
    whole = periods[("2014-03-01", END.isoformat())]
    assert whole.find("actual").get("value") == "80"
    assert periods[(START.isoformat(), END.isoformat())].find("target").get("value") == "80.00"
    qualitative = next(i for i in activity.iter("indicator") if i.get("measure") == "5")
    actual = qualitative.find("period/actual")
    assert actual.get("value") is None and actual.findtext("comment/narrative") == "Передано обласній раді"
    ratio = next(i for i in activity.iter("indicator") if i.get("measure") == "2")
    assert ratio.get("aggregation-status") == "0"
    assert activity.find("activity-status").get("code") == "4"  # the programme ended in 2014


def test_no_file_for_a_programme_not_in_iati_and_the_reason(world: World, r3: Indicator) -> None:
    report = services.donor_report_generate(actor=None, programme=r3.result.programme)
    assert (bytes(report.iati_xml), report.iati_sha256) == (b"", "")
    with pytest.raises(iati.NotReady):
        iati.activity_xml(report.figures, generated_at=dt.datetime(2026, 12, 7, tzinfo=dt.UTC))


def test_the_demo_programme_file_validates(schema: etree.XMLSchema, world: World, r3: Indicator) -> None:
    _register(r3)
    figures = services.donor_report_generate(actor=None, programme=r3.result.programme).figures
    for moment in (dt.datetime(2014, 10, 1, tzinfo=dt.UTC), dt.datetime(2026, 12, 7, tzinfo=dt.UTC)):
        document = etree.fromstring(iati.activity_xml(figures, generated_at=moment))
        assert schema.validate(document), schema.error_log


def test_the_iati_file_is_downloaded_by_the_network_only(world: World, r3: Indicator) -> None:
    from django.test import Client
    from django.urls import reverse

    plain = services.donor_report_generate(actor=None, programme=r3.result.programme)
    _register(r3)
    registered = services.donor_report_generate(actor=None, programme=r3.result.programme)
    admin, coordinator = Client(), Client()
    admin.force_login(world.users["admin"])
    coordinator.force_login(world.users["coordinator_a"])
    url = reverse("results:report_iati", args=["cip-2014", registered.pk])
    response = admin.get(url)
    assert response.status_code == 200 and response.content == bytes(registered.iati_xml)
    assert response["Content-Type"].startswith("application/xml")
    assert admin.get(reverse("results:report_iati", args=["cip-2014", plain.pk])).status_code == 404
    assert coordinator.get(url).status_code == 404
    page = admin.get(reverse("results:programme", args=["cip-2014"])).content.decode()
    assert url in page and reverse("results:report_iati", args=["cip-2014", plain.pk]) not in page
