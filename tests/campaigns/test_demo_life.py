"""`seed_demo --today X`: the 2024 campaign closed with its whole life behind it, and a live
copy for X's year in progress as of X. Deterministic for a given X; a second run changes nothing."""
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum
from django.urls import reverse

from campaigns.dashboard import campaign_dashboard
from campaigns.models import AdjustmentRequest, Assignment, Campaign, Evidence, ProgressReport, Task
from reports.collect import collect

TODAY = date(2026, 3, 10)


def seed(today=TODAY):
    out = StringIO()
    call_command("seed_demo", "--today", today.isoformat(), stdout=out)
    return out.getvalue()


def snapshot():
    return (
        list(Campaign.objects.values_list("pk", "code", "status", "starts_on").order_by("pk")),
        list(Task.objects.values_list("pk", "deadline").order_by("pk")),
        list(Assignment.objects.values_list("pk", "status", "percent", "version", "completed_on").order_by("pk")),
        list(ProgressReport.objects.values_list("pk", "status", "created_at", "done_on").order_by("pk")),
        list(Evidence.objects.values_list("pk", "file").order_by("pk")),
        list(AdjustmentRequest.objects.values_list("pk", "status").order_by("pk")),
    )


@pytest.fixture
def seeded(db):
    output = seed()
    return output, Campaign.objects.get(code="qinghai-2024"), Campaign.objects.get(code="qinghai-2026")


def test_the_2024_campaign_is_closed_with_every_task_reported_and_verified(seeded):
    _, closed, _ = seeded
    assert closed.status == Campaign.Status.CLOSED
    live = Assignment.objects.filter(task__campaign=closed).exclude(status="cancelled")
    assert live.count() > 22 and set(live.values_list("status", flat=True)) == {"verified"}
    # every unit's work came with evidence, and its reports were written in 2024
    assert not live.filter(reports__evidence__isnull=True, reports__status="submitted").exists()
    years = {r.created_at.year for r in ProgressReport.objects.filter(assignment__task__campaign=closed)}
    assert years == {2024}


def test_the_2024_campaign_has_late_work_a_return_and_decided_adjustments(seeded):
    _, closed, _ = seeded
    late = set(Assignment.objects.filter(task__campaign=closed, completed_late=True)
               .values_list("task__number", "unit__name"))
    assert late == {(5, "省局知识产权公共服务处"), (6, "果洛州市场监管局"), (9, "青海大学"), (11, "玉树州市场监管局"),
                    (17, "青海省生产力促进中心有限公司")}
    assert ProgressReport.objects.filter(assignment__task__campaign=closed, status="returned").count() == 1
    decided = sorted(AdjustmentRequest.objects.filter(task__campaign=closed).values_list("task__number", "status"))
    assert decided == [(6, "rejected"), (11, "rejected"), (20, "approved")]
    # task 20's work was done after its first deadline but before the approved one: on time
    task20 = Assignment.objects.get(task__campaign=closed, task__number=20)
    assert task20.completed_on > task20.task.original_deadline and not task20.completed_late


def test_the_2024_report_compiles_with_real_figures(seeded):
    _, closed, _ = seeded
    data = collect(closed, today=date(2024, 10, 15))
    # Counted as the report defines it: every report of the campaign except those a return
    # voided (the reports of the returned assignment made before the return).
    voided = Q(pk__in=[])
    for returned in ProgressReport.objects.filter(assignment__task__campaign=closed, status="returned"):
        voided |= Q(assignment_id=returned.assignment_id, created_at__lt=returned.created_at)
    reports = ProgressReport.objects.filter(assignment__task__campaign=closed).exclude(voided)
    assert reports.count() < ProgressReport.objects.filter(assignment__task__campaign=closed).count()
    sums = reports.aggregate(events=Sum("events_held"), people=Sum("participants"))
    assert data.overview.tasks_total == 22 and data.overview.tasks_verified == 22
    assert (data.overview.events_held, data.overview.participants) == (sums["events"], sums["people"])
    assert data.overview.events_held > 0 and data.overview.participants > 0
    assert (data.overview.survey_invited, data.overview.survey_submitted) == (8, 8)
    assert data.overview.pairings == 5 and data.overview.mentoring_activities > 0
    assert data.cases and data.summaries


def test_the_live_campaign_is_a_copy_for_this_year_with_deadlines_around_today(seeded):
    output, closed, live = seeded
    assert live.status == Campaign.Status.ACTIVE
    assert live.document_number == "青市监函〔2026〕58号" and live.title.startswith("2026年")
    assert live.tasks.count() == closed.tasks.count() == 22
    shift = {(t.deadline - s.deadline).days for t, s in zip(live.tasks.order_by("number"),
                                                           closed.tasks.order_by("number"), strict=True)}
    assert len(shift) == 1 and shift.pop() % 7 == 0  # the same whole number of weeks for every task
    assert live.starts_on < TODAY < live.ends_on
    # the units are the same, roles included
    def roles(c):
        return sorted(Assignment.objects.filter(task__campaign=c).values_list("task__number", "unit_id", "role"))
    assert roles(live) == roles(closed)
    assert "以 2026-03-10 为今天" in output


def test_the_live_dashboard_shows_overdue_work_in_days_and_a_non_empty_seven_day_list(seeded):
    _, _, live = seeded
    data = campaign_dashboard(live, today=TODAY)
    overdue = {(a.task.number, a.unit.short_name): -a.days_left for a in data["overdue"]}
    assert overdue and all(days > 0 for days in overdue.values())
    assert 5 <= overdue[(5, "公共服务处")] <= 11  # the training course, late by days
    due = {(a.task.number, a.unit.short_name): a.days_left for a in data["due_soon"]}
    assert due and all(0 <= days <= 7 for days in due.values())
    assert (14, "西宁市") in due
    verified = Assignment.objects.filter(task__campaign=live, status="verified")
    assert verified.exists() and Assignment.objects.filter(task__campaign=live, status="submitted").exists()
    assert Assignment.objects.get(task__campaign=live, task__number=13).status == "returned"
    assert AdjustmentRequest.objects.get(task__campaign=live).status == "pending"


def test_the_live_dashboard_page_on_the_seeded_day(db, client, django_user_model):
    today = date.today()
    seed(today)
    live = Campaign.objects.get(code=f"qinghai-{today.year}")
    client.force_login(django_user_model.objects.get(username="province"))
    page = client.get(reverse("campaigns:dashboard", args=[live.code])).content.decode()
    overdue = page.split('id="overdue"')[1].split("</ul>")[0]
    due = page.split('id="due-soon"')[1].split("</ul>")[0]
    assert "逾期" in overdue and " 天</span>" in overdue
    assert "没有" not in due and ("剩余" in due or "今天到期" in due)


def test_seed_demo_twice_changes_nothing(seeded):
    before = snapshot()
    seed()
    assert snapshot() == before


def test_seed_demo_on_another_day_leaves_the_seeded_campaigns_alone(seeded):
    before = snapshot()
    seed(TODAY + timedelta(days=3))
    assert snapshot() == before


def test_seed_demo_refuses_a_2024_today(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2025"):
        seed(date(2024, 8, 1))
    assert not Campaign.objects.exists()
