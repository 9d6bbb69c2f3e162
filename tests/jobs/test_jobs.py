"""The job queue: jobs run by the embedded database worker (no extra service) and by RQ on
a real Redis, with progress on the job page and the result downloadable; a 20,000-row
export and the report compile go through it; the daily schedule queues once a day."""
import csv
import io
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from campaigns.models import Assignment, Membership, ProgressReport, Unit
from jobs import schedule
from jobs.models import Job, ScheduledRun
from jobs.registry import job_function
from jobs.services import start_job
from tests.factories import make_campaign, make_task, make_unit, make_user, run_worker

SHANGHAI = ZoneInfo("Asia/Shanghai")


@job_function
def count_to(job, n):
    for i in range(1, n + 1):
        job.progress(100 * i // n, f"第 {i} 步")
    job.save_result("结果.txt", f"数到 {n}".encode())
    return f"数到了 {n}"


@job_function
def breaks(job):
    raise ValueError("数据有误")


def not_a_job(job):
    return "never"


@pytest.mark.django_db(transaction=True)
def test_a_job_waits_in_the_database_queue_until_the_worker_runs_it(login, progress_log):
    owner = make_user()
    job = start_job("tests.jobs.test_jobs.count_to", title="数数", owner=owner, n=4)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.task_id  # queued, nothing ran in the request
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.percent == 100 and job.message == "数到了 4"
    assert progress_log == [(25, "第 1 步"), (50, "第 2 步"), (75, "第 3 步"), (100, "第 4 步")]
    client = login(owner)
    state = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert state["finished"] and state["status_label"] == "已完成" and state["download"]
    response = client.get(state["download"])
    assert b"".join(response.streaming_content).decode() == "数到 4"
    assert "结果.txt" in response["Content-Disposition"] or "%E7%BB%93%E6%9E%9C.txt" in response["Content-Disposition"]


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_shown_failed_with_its_error(login):
    owner = make_user()
    job = start_job("tests.jobs.test_jobs.breaks", title="出错的任务", owner=owner)
    run_worker()
    state = login(owner).get(reverse("jobs:status", args=[job.pk])).json()
    assert state["status"] == "failed" and "数据有误" in state["error"] and state["download"] == ""


def test_only_marked_functions_can_be_started(db):
    from jobs.services import JobRefused

    with pytest.raises(JobRefused, match="不能作为后台任务运行"):
        start_job("tests.jobs.test_jobs.not_a_job", title="x")
    assert Job.objects.count() == 0


def test_nobody_else_sees_a_job_or_its_file(db, login):
    job = Job.objects.create(title="导出", function="x", owner=make_user())
    other = login(make_user())
    assert other.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("jobs:status", args=[job.pk])).status_code == 404
    assert other.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_the_job_page_polls_with_a_static_script_and_no_inline_code(db, login):
    owner = make_user()
    job = Job.objects.create(title="导出进度报告", function="x", owner=owner, percent=40, message="已写入 8000 / 20000 行")
    page = login(owner).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "已写入 8000 / 20000 行" in page and "40%" in page
    assert 'src="/static/jobs/job.js"' in page
    assert "<script>" not in page and "onclick" not in page
    assert f'data-status-url="{reverse("jobs:status", args=[job.pk])}"' in page


@pytest.mark.django_db(transaction=True)
def test_a_20000_row_export_goes_through_the_queue_with_progress(login, settings, progress_log):
    settings.EXPORT_QUEUE_ROWS = 5000
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    units = [make_unit(f"单位{i}") for i in range(10)]
    campaign = make_campaign(office)
    for n in range(1, 5):
        make_task(campaign, units=units, number=n)
    coordinator = make_user(office, Membership.Role.COORDINATOR)
    assignments = list(Assignment.objects.filter(task__campaign=campaign))
    ProgressReport.objects.bulk_create([
        ProgressReport(assignment=assignments[i % len(assignments)], author=coordinator, text=f"第{i}次进展",
                       percent=50, status="in_progress", participants=i % 7)
        for i in range(20_000)
    ], batch_size=2000)
    client = login(coordinator)
    # csv: the same queue path as xlsx (one writer loop reports progress for both), half the time.
    response = client.get(reverse("campaigns:export", args=[campaign.code, "reports", "csv"]))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    percents = [p for p, _ in progress_log]
    assert percents == sorted(percents) and len(percents) >= 20
    assert ("已写入 10000 / 20000 行" in [m for _, m in progress_log])
    state = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert state["percent"] == 100 and state["download"]
    body = b"".join(client.get(state["download"]).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 20_001 and rows[0][0] == "编号" and rows[0][9] == "参与人数（人次）"
    assert sum(int(r[9]) for r in rows[1:]) == sum(i % 7 for i in range(20_000))


def test_a_small_export_is_still_answered_at_once(db, login, settings):
    settings.EXPORT_QUEUE_ROWS = 5000
    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    campaign = make_campaign(office)
    make_task(campaign, units=[make_unit()])
    response = login(make_user(office, Membership.Role.COORDINATOR)).get(
        reverse("campaigns:export", args=[campaign.code, "assignments", "csv"]))
    assert response.status_code == 200 and Job.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_report_compile_runs_as_a_job(login):
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    campaign = make_campaign(office)
    make_task(campaign, units=[make_unit("西宁市市场监督管理局")])
    coordinator = make_user(office, Membership.Role.COORDINATOR)
    client = login(coordinator)
    response = client.post(reverse("reports:pdf_job", args=[campaign.code]))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    body = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    assert body.startswith(b"%PDF")


def test_the_daily_schedule_queues_the_reminders_once_a_day(db, settings):
    settings.JOB_SCHEDULES = [("daily", "reminders", "08:00", "notifications.reminders.reminders_job", "每日任务提醒")]
    before = datetime(2024, 6, 20, 7, 59, tzinfo=SHANGHAI)
    assert schedule.tick(before) == [] and Job.objects.count() == 0
    at = datetime(2024, 6, 20, 8, 0, tzinfo=SHANGHAI)
    assert schedule.tick(at) == ["reminders"]
    assert schedule.tick(at + timedelta(hours=3)) == []  # a second machine, later the same day
    job = Job.objects.get()
    assert job.function == "notifications.reminders.reminders_job" and job.arguments == {"day": "2024-06-20"}
    assert schedule.tick(at + timedelta(days=1)) == ["reminders"]
    assert ScheduledRun.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_reminders_job_runs_on_the_worker(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    office = make_unit(kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau = make_unit("海西州市场监督管理局")
    campaign = make_campaign(office)
    make_task(campaign, units=[bureau], deadline=datetime(2024, 6, 18).date(), title="举办专利培训班")
    make_user(bureau, email="haixi@example.cn")
    job = start_job("notifications.reminders.reminders_job", title="每日任务提醒", day="2024-06-20")
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and "提醒 1 项已送达" in job.message
    assert [m.to for m in mail.outbox] == [["haixi@example.cn"]]


# ---------------------------------------------------------------- the real Redis (RQ backend)

def _redis():
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.RQ_QUEUES["default"]["URL"], socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_SYSTEM_PACKAGES") == "1":
            pytest.fail("Redis（127.0.0.1:6379）未运行：CI 中队列测试必须在真实的 Redis 上运行")
        pytest.skip("没有运行中的 Redis（127.0.0.1:6379）；CI 会启动它")
    return client


def run_rq_worker():
    import django_rq
    from django_tasks_rq.backend import Job as RQJob
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=RQJob)
    SimpleWorker([queue], connection=queue.connection, job_class=RQJob).work(burst=True)


@pytest.mark.django_db(transaction=True)
def test_jobs_and_deliveries_run_on_rq_over_a_real_redis(login, settings):
    _redis()
    owner = make_user()
    job = start_job("tests.jobs.test_jobs.count_to", title="数数", owner=owner, backend="rq", n=2)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.task_id
    from django_tasks import task_backends

    assert task_backends["rq"].get_result(job.task_id).status == "READY"
    run_rq_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.message == "数到了 2"
    assert task_backends["rq"].get_result(job.task_id).status == "SUCCESSFUL"
    # A notification delivery through the same broker.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    from notifications import services
    from notifications.models import Delivery
    from notifications.tasks import deliver_task

    unit = make_unit("果洛州市场监督管理局")
    make_user(unit, email="guoluo@example.cn")
    [delivery] = services.notify_units([unit], kind="chase_up", title="催报", body="请报送", queue=False)
    deliver_task.using(backend="rq").enqueue([delivery.pk])
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    run_rq_worker()
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert [m.to for m in mail.outbox] == [["guoluo@example.cn"]]


@pytest.mark.django_db(transaction=True)
def test_a_big_plan_import_is_committed_by_the_queue(demo, login, django_user_model, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.models import Task
    from tests.campaigns.io_helpers import plan_rows, xlsx_bytes

    settings.IMPORT_QUEUE_ROWS = 10
    client = login(django_user_model.objects.get(username="province"))
    rows = plan_rows(30)
    for row in rows:
        row[0], row[1] = "（六）导入的活动", row[1] + 100
    upload = SimpleUploadedFile("plan.xlsx", xlsx_bytes(rows), content_type="application/octet-stream")
    preview = client.post(reverse("campaigns:import", args=[demo.code]), {"file": upload})
    response = client.post(reverse("campaigns:import_commit", args=[demo.code]), {"token": preview.context["token"]})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert Task.objects.filter(campaign=demo).count() == 22  # nothing written in the request
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert "新增 30 项" in job.message and Task.objects.filter(campaign=demo).count() == 52
