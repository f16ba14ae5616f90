"""Programmes are set up by the network's staff in the admin: others do not see them there; a typed
value records who entered it; a made report is never changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from cipnet.results.models import DonorReport, Indicator, ManualValue, Programme
from cipnet.results.tests.conftest import make_indicator, make_programme
from cipnet.testing import World


def admin_client(world: World, name: str) -> Client:
    user = world.users[name]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "status"), [("admin", 200), ("coordinator_a", 403), ("manager_a", 403)])
def test_only_the_network_sees_programmes_in_the_admin(world: World, name: str, status: int) -> None:
    make_programme(world)
    client = admin_client(world, name)
    assert client.get("/admin/results/programme/").status_code == status
    assert client.get("/admin/results/indicator/add/").status_code == status


def test_the_network_adds_a_programme_and_a_computed_indicator(world: World) -> None:
    client = admin_client(world, "admin")
    response = client.post(
        "/admin/results/programme/add/",
        {
            "code": "lviv-2026", "title": "Львівська мережа 2026", "donor": "Фонд", "starts_on": "2026-01-01",
            "ends_on": "2026-12-31", "currency": "UAH", "reporting_org_type": "", "centres": [world.centre_b.pk],
            "results-TOTAL_FORMS": "1", "results-INITIAL_FORMS": "0",
            "results-0-code": "R1", "results-0-level": "output", "results-0-title": "Послуги",
            "results-0-position": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    programme = Programme.objects.get(code="lviv-2026")
    assert list(programme.centres.all()) == [world.centre_b]
    result = programme.results.get()
    form = client.get("/admin/results/indicator/add/")
    choices = [key for key, _label in form.context["adminform"].form.fields["source"].choices]
    assert "consultations" in choices and "" in choices
    bad = client.post("/admin/results/indicator/add/", {"result": result.pk, "code": "R1.1", "title": "x",
                                                        "source": "no-such-source"})  # fmt: skip
    assert bad.status_code == 200 and "source" in bad.context["adminform"].form.errors
    assert not Indicator.objects.exists()


def test_a_typed_value_records_who_entered_it(world: World) -> None:
    indicator = make_indicator(make_programme(world))
    indicator.source = ""
    indicator.save(update_fields=["source"])
    client = admin_client(world, "admin")
    url = f"/admin/results/indicator/{indicator.pk}/change/"
    page = client.get(url)
    data = {key: value for key, value in page.context["adminform"].form.initial.items() if value is not None}
    data.update({
        "disaggregations": "[]", "source": "",
        "targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0",
        "manual_values-TOTAL_FORMS": "1", "manual_values-INITIAL_FORMS": "0",
        "manual_values-0-starts_on": "2014-03-01", "manual_values-0-ends_on": "2014-11-30",
        "manual_values-0-value": "500", "manual_values-0-evidence_note": "Накладна № 12",
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, [f.errors for f in response.context["inline_admin_formsets"]]
    value = ManualValue.objects.get()
    assert (value.value, value.entered_by, value.starts_on) == (500, world.users["admin"], dt.date(2014, 3, 1))


def test_made_reports_cannot_be_changed_in_the_admin(world: World) -> None:
    assert DonorReport.objects.count() == 0
    client = admin_client(world, "admin")
    assert client.get("/admin/results/donorreport/").status_code == 200
    assert client.get("/admin/results/donorreport/add/").status_code == 403
