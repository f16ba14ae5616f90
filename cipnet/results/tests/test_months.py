"""The coordinator's month: the centres' monthly reports page (submit, approve, return), the lock seen
from the log's pages, and a correction after approval shown in the next donor report, never in a made one."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import openpyxl
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cipnet.consultations.models import Consultation
from cipnet.reporting.models import Correction, MonthReport, MonthStatus
from cipnet.results import services
from cipnet.results.models import Indicator
from cipnet.results.tests.conftest import END, START
from cipnet.testing import World

OCT = "2014-10"


def client_for(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def months_url() -> str:
    with translation.override("uk"):
        return reverse("results:months", args=["cip-2014"])


def act(client: Client, action: str, centre: int | None = None, month: str = OCT) -> int:
    data = {"month": month, "action": action, **({"centre": str(centre)} if centre else {})}
    return client.post(reverse("results:month_act", args=["cip-2014"]), data).status_code


def test_the_page_shows_each_centre_with_its_entries_and_what_the_user_may_do(world: World, r3: Indicator) -> None:
    page = client_for(world, "manager_a").get(months_url(), {"month": OCT})
    assert page.status_code == 200
    (row,) = page.context["rows"]  # a manager sees their centre only
    oct_entries = Consultation.objects.filter(centre=world.centre_a, day__month=10, day__year=2014).count()
    assert (row.centre, row.entries, row.status, row.can_submit, row.can_approve) == (
        world.centre_a, oct_entries, "open", True, False,
    )  # fmt: skip
    assert "Подати місяць" in page.content.decode()
    coordinator = client_for(world, "coordinator_a").get(months_url(), {"month": OCT})
    assert [r.can_submit for r in coordinator.context["rows"]] == [True]
    assert client_for(world, "coordinator_a").get(months_url(), {"month": "2014-13"}).context["month"].month == 11
    assert client_for(world, "consultant_b").get(months_url()).context["rows"][0].can_submit is False
    assert client_for(world, "official").get(months_url()).status_code == 404


def test_a_month_goes_up_and_is_counted_on_the_dashboard(world: World, r3: Indicator) -> None:
    manager_a, manager_b = client_for(world, "manager_a"), client_for(world, "manager_b")
    coordinator, admin = client_for(world, "coordinator_a"), client_for(world, "admin")
    assert act(manager_a, "submit", world.centre_a.pk) == 302
    assert act(manager_a, "submit", world.centre_b.pk) == 404  # not theirs
    assert act(manager_b, "submit", world.centre_b.pk) == 302
    assert act(manager_a, "approve", world.centre_a.pk) == 403
    assert act(coordinator, "approve_all") == 302  # only its region's: centre A
    assert MonthReport.objects.get(centre=world.centre_a).status == MonthStatus.REGION_APPROVED
    assert MonthReport.objects.get(centre=world.centre_b).status == MonthStatus.SUBMITTED
    page = admin.get(months_url(), {"month": OCT})
    assert page.context["approvable"] == 2
    assert act(admin, "approve_all") == 302
    statuses = dict(MonthReport.objects.values_list("centre_id", "status"))
    assert statuses == {world.centre_a.pk: "approved", world.centre_b.pk: "region_approved"}
    dashboard = admin.get(reverse("results:programme", args=["cip-2014"]), {"period": "custom",
                          "start": START.isoformat(), "end": END.isoformat()})  # fmt: skip
    october = next(c for c in dashboard.context["completeness"] if c.month == dt.date(2014, 10, 1))
    assert (october.centres, october.submitted, october.region_approved, october.approved) == (2, 2, 2, 1)


def test_returning_needs_a_reason_and_opens_the_month(world: World, r3: Indicator) -> None:
    act(client_for(world, "manager_a"), "submit", world.centre_a.pk)
    coordinator = client_for(world, "coordinator_a")
    url = reverse("results:month_return", args=["cip-2014", world.centre_a.pk, OCT])
    empty = coordinator.post(url, {"reason": ""})
    assert empty.status_code == 200 and empty.context["form"].errors["reason"]
    assert MonthReport.objects.get().status == MonthStatus.SUBMITTED
    assert client_for(world, "manager_a").post(url, {"reason": "ні"}).status_code == 403
    assert coordinator.post(url, {"reason": "Перевірте 14 жовтня"}).status_code == 302
    assert MonthReport.objects.get().status == MonthStatus.OPEN
    assert client_for(world, "coordinator_b").get(url).status_code == 404


def test_the_log_refuses_a_consultant_and_asks_the_manager_why(world: World, r3: Indicator) -> None:
    c = Consultation.objects.filter(centre=world.centre_a, day__month=10, day__year=2014).first()
    act(client_for(world, "manager_a"), "submit", world.centre_a.pk)
    Consultation.objects.filter(pk=c.pk).update(author=world.users["consultant_a"], created_at=dt.datetime.now(dt.UTC))
    consultant = client_for(world, "consultant_a")
    refused = consultant.get(reverse("consultations:edit", args=[c.pk]))
    assert refused.status_code == 403 and "подано на затвердження" in refused.content.decode().lower()
    manager = client_for(world, "manager_a")
    form = manager.get(reverse("consultations:edit", args=[c.pk]))
    assert form.status_code == 200 and 'name="correction_reason"' in form.content.decode()
    deleted = manager.post(reverse("consultations:delete", args=[c.pk]), {"correction_reason": ""})
    assert deleted.status_code == 200 and deleted.context["form"].errors["correction_reason"]
    assert Consultation.objects.filter(pk=c.pk).exists()
    assert manager.post(reverse("consultations:delete", args=[c.pk]), {"correction_reason": "Дубль"}).status_code == 302
    assert Correction.objects.get().reason == "Дубль"


def test_a_correction_after_approval_leaves_a_made_report_and_shows_in_the_next(world: World, r3: Indicator) -> None:
    programme = r3.result.programme
    for centre, manager in ((world.centre_a, "manager_a"), (world.centre_b, "manager_b")):
        act(client_for(world, manager), "submit", centre.pk)
    act(client_for(world, "coordinator_a"), "approve_all")
    act(client_for(world, "coordinator_b"), "approve_all")
    act(client_for(world, "admin"), "approve_all")
    first = services.donor_report_generate(actor=world.users["admin"], programme=programme, start=START, end=END)
    kept = (bytes(first.content), first.sha256)
    assert first.figures["corrections"] == [] and first.figures["approval"][1]["approved"] == 2
    c = Consultation.objects.filter(centre=world.centre_a, day__month=10, day__year=2014).first()
    manager = client_for(world, "manager_a")
    refused = manager.post(reverse("consultations:delete", args=[c.pk]), {"correction_reason": ""})
    assert refused.status_code == 200 and Consultation.objects.filter(pk=c.pk).exists()
    manager.post(reverse("consultations:delete", args=[c.pk]), {"correction_reason": "Відвідувача записано двічі"})
    first.refresh_from_db()
    assert (bytes(first.content), first.sha256) == kept
    assert hashlib.sha256(bytes(first.content)).hexdigest() == first.sha256
    second = services.donor_report_generate(actor=world.users["admin"], programme=programme, start=START, end=END)
    assert second.sha256 != first.sha256
    (correction,) = second.figures["corrections"]
    assert (correction["month"], correction["reason"], correction["status"]) == (
        "2014-10-01", "Відвідувача записано двічі", "Затверджено мережею",
    )  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(second.content)))["Затвердження"]
    rows = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["2014-10", 2, 2, 0, 2, 2] in rows
    assert any("Відвідувача записано двічі" in row for row in rows)
