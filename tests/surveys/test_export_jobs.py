"""Big survey exports run on the job queue (progress, the file kept for download); small
ones download at once; nobody without access to the survey starts or downloads one."""
import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jobs.models import Job
from surveys.models import Response
from tests.factories import make_unit, make_user, run_worker

from .conftest import GOOD_ANSWERS


def add_stored(world, n, unit=None):
    """n submitted responses stored directly (the export reads what is stored)."""
    version = world.survey.current_version
    Response.objects.bulk_create([
        Response(survey=world.survey, version=version, unit=unit or world.a, status=Response.Status.SUBMITTED,
                 answers={**GOOD_ANSWERS, "staff": i, "note": f"第{i}份"})
        for i in range(n)
    ])


def db_state():
    return list(Job.objects.values_list("pk", "status", "result_name")), Response.objects.count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_above_the_threshold_becomes_a_job_whose_file_reads_back(
        login, survey_world, settings, progress_log, fmt, monkeypatch):
    from surveys import results

    monkeypatch.setattr(results, "CHUNK", 4)  # progress every 4 rows
    settings.EXPORT_QUEUE_ROWS = 10
    add_stored(survey_world, 11)
    client = login(survey_world.coordinator)
    response = client.get(reverse("surveys:export", args=[survey_world.survey.pk, fmt]))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED and job.owner == survey_world.coordinator
    assert "导出答卷" in client.get(response["Location"]).content.decode()
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.message == "导出完成：11 份答卷" and job.result_name.endswith(f".{fmt}") and "测试问卷" in job.result_name
    percents = [p for p, _ in progress_log]
    assert percents == sorted(percents) and "已写入 8 / 11 份答卷" in [m for _, m in progress_log]
    body = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    if fmt == "xlsx":
        rows = [list(r) for r in load_workbook(io.BytesIO(body), read_only=True).worksheets[0].iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 12
    header = rows[0]
    assert header[:4] == ["答卷编号", "单位", "问卷版本", "提交时间"]
    staff = [int(r[header.index("1. 人员数")]) for r in rows[1:]]
    assert staff == list(range(11))
    assert {r[1] for r in rows[1:]} == {"甲市市场监管局"}


def test_an_export_at_the_threshold_downloads_at_once(login, survey_world, settings):
    settings.EXPORT_QUEUE_ROWS = 10
    add_stored(survey_world, 10)
    client = login(survey_world.coordinator)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("surveys:export", args=[survey_world.survey.pk, fmt]))
        assert response.status_code == 200 and response.streaming
    assert Job.objects.count() == 0


def test_the_threshold_counts_only_the_responses_the_user_may_see(login, survey_world, settings):
    """A bureau with 3 of the survey's 13 responses gets its file at once."""
    settings.EXPORT_QUEUE_ROWS = 10
    add_stored(survey_world, 3)
    add_stored(survey_world, 10, unit=survey_world.b)
    response = login(survey_world.reporter_a).get(reverse("surveys:export", args=[survey_world.survey.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4 and Job.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_stranger_can_neither_start_nor_download_the_job(login, survey_world, settings):
    settings.EXPORT_QUEUE_ROWS = 10
    add_stored(survey_world, 11)
    stranger = login(make_user(make_unit(name="无关单位")))
    before = db_state()
    assert stranger.get(reverse("surveys:export", args=[survey_world.survey.pk, "xlsx"])).status_code == 404
    assert db_state() == before
    coordinator = login(survey_world.coordinator)
    coordinator.get(reverse("surveys:export", args=[survey_world.survey.pk, "xlsx"]))
    job = Job.objects.get()
    run_worker()
    before = db_state()
    stranger = login(make_user(make_unit(name="另一无关单位")))
    for name in ("detail", "status", "download"):
        assert stranger.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404, name
    # a bureau invited to the survey may see it, but not another user's job
    assert login(survey_world.reporter_a).get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert db_state() == before


@pytest.mark.django_db(transaction=True)
def test_the_job_refuses_an_owner_who_lost_access_to_the_survey(login, survey_world, settings):
    from campaigns.models import Membership

    settings.EXPORT_QUEUE_ROWS = 10
    add_stored(survey_world, 11)
    login(survey_world.coordinator).get(reverse("surveys:export", args=[survey_world.survey.pk, "csv"]))
    Membership.objects.filter(user=survey_world.coordinator).delete()
    run_worker()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "无权查看" in job.error and not job.result_file
