"""The admin shows cases read-only, scoped to the coordinator's regions; officials have no admin."""

from __future__ import annotations

import pytest
from django.test import Client

from cipnet.appeals import services
from cipnet.appeals.tests.conftest import Reception, appeal_input, submitted

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def test_cases_in_the_admin_are_read_only_and_scoped_by_region(reception: Reception) -> None:
    city_case = submitted(reception)
    oblast_draft = services.appeal_save_draft(
        actor=reception.world.users["consultant_a"],
        data=appeal_input(reception.oblast),
        centre=reception.world.centre_a,
        consent=True,
    )
    coordinator_a = _client(reception.world.users["coordinator_a"])
    listed = coordinator_a.get("/admin/appeals/appeal/")
    assert listed.status_code == 200
    assert list(listed.context["cl"].queryset) == [city_case]
    assert coordinator_a.get(f"/admin/appeals/appeal/{oblast_draft.pk}/change/").status_code in (302, 404)
    assert coordinator_a.get("/admin/appeals/appeal/add/").status_code == 403
    page = coordinator_a.get(f"/admin/appeals/appeal/{city_case.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert coordinator_a.post(f"/admin/appeals/appeal/{city_case.pk}/delete/", {"post": "yes"}).status_code == 403

    admin = _client(reception.world.users["admin"])
    assert len(admin.get("/admin/appeals/appeal/").context["cl"].queryset) == 2


@pytest.mark.parametrize(
    "url", ["/admin/appeals/appeal/", "/admin/consultations/consultation/", "/admin/directory/territory/"]
)
def test_an_official_with_the_staff_flag_still_has_no_read_only_admin(reception: Reception, url: str) -> None:
    official = _client(reception.clerk)
    assert official.get(url).status_code == 403
