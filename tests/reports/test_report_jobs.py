"""Big reports on the job queue (issue 17): above settings.REPORT_QUEUE_TASKS tasks the PDF,
.docx and xlsx downloads start a job and answer with its page; the file kept there holds
the report; at or below it they download at once; no one else starts or fetches the job."""
import io
from urllib.parse import unquote

import docx
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.models import Task
from jobs.models import Job
from tests.factories import make_unit, make_user, run_worker

from .conftest import pdf_text, squash

User = get_user_model()
DOWNLOADS = ("reports:pdf", "reports:docx", "reports:xlsx")
STEM = "2024年青海省“知识产权公共服务市州行”活动总结"
XINING_TASKS = [3, 6, 8, 11, 14]  # the demo's tasks of 西宁市市场监管局


def fetch(client, job):
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    name = unquote(response["Content-Disposition"].split("filename*=utf-8''")[1])
    return name, b"".join(response.streaming_content)


def docx_text(body):
    document = docx.Document(io.BytesIO(body))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return squash("".join([p.text for p in document.paragraphs] + cells))


@pytest.mark.django_db(transaction=True)
def test_above_the_threshold_each_download_is_a_job_whose_file_holds_the_whole_report(
        demo, login, settings, need_poppler, tmp_path):
    tasks = list(Task.objects.filter(campaign=demo).order_by("number"))
    settings.REPORT_QUEUE_TASKS = len(tasks) - 1
    client = login(User.objects.get(username="province"))
    jobs = {}
    for name in DOWNLOADS:
        response = client.get(reverse(name, args=[demo.code]))
        job = Job.objects.exclude(pk__in=[j.pk for j in jobs.values()]).get()
        assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
        assert job.status == Job.Status.QUEUED and job.owner.username == "province"
        jobs[name] = job
    assert Job.objects.count() == 3
    run_worker()
    for job in jobs.values():
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.error
    assert "总结报告" in client.get(reverse("jobs:detail", args=[jobs["reports:pdf"].pk])).content.decode()

    name, body = fetch(client, jobs["reports:pdf"])
    assert name == f"{STEM}.pdf" and body.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    text = squash(pdf_text(path))
    assert all(f"{t.number}{squash(t.title)}" in text for t in tasks)

    name, body = fetch(client, jobs["reports:docx"])
    assert name == f"{STEM}.docx"
    text = docx_text(body)
    assert all(squash(t.title) in text for t in tasks)

    name, body = fetch(client, jobs["reports:xlsx"])
    assert name == f"{STEM}数据附表.xlsx"
    workbook = load_workbook(io.BytesIO(body))
    titles = {str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    assert all(t.title in titles for t in tasks)


@pytest.mark.django_db(transaction=True)
def test_a_bureau_over_the_threshold_gets_a_job_with_its_own_work_only(demo, login, settings):
    settings.REPORT_QUEUE_TASKS = len(XINING_TASKS) - 1  # one below its 5 tasks: the queue
    client = login(User.objects.get(username="xining"))
    response = client.get(reverse("reports:xlsx", args=[demo.code]))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    name, body = fetch(client, job)
    assert name == f"{STEM}（西宁市市场监管局）数据附表.xlsx"
    workbook = load_workbook(io.BytesIO(body))
    numbers = sorted(r[0] for ws in workbook.worksheets if ws.title.startswith("（")
                     for r in ws.iter_rows(min_row=2, values_only=True))
    assert numbers == XINING_TASKS


def test_at_the_threshold_the_downloads_are_answered_at_once(demo, login, settings):
    # The bureau's report covers its 5 tasks: exactly the threshold is still a direct download.
    settings.REPORT_QUEUE_TASKS = len(XINING_TASKS)
    client = login(User.objects.get(username="xining"))
    expected = {"reports:pdf": b"%PDF", "reports:docx": b"PK", "reports:xlsx": b"PK"}
    for name, magic in expected.items():
        response = client.get(reverse(name, args=[demo.code]))
        assert response.status_code == 200 and response.content.startswith(magic), name
    settings.REPORT_QUEUE_TASKS = Task.objects.filter(campaign=demo).count()
    coordinator = login(User.objects.get(username="province"))
    assert coordinator.get(reverse("reports:pdf", args=[demo.code])).content.startswith(b"%PDF")
    assert Job.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_no_one_else_starts_or_fetches_a_report_job(demo, login, settings):
    settings.REPORT_QUEUE_TASKS = 0  # any allowed download would become a job
    stranger = make_user(make_unit("外省单位"))
    client = login(stranger)
    for name in DOWNLOADS:
        assert client.get(reverse(name, args=[demo.code])).status_code == 404
    assert client.post(reverse("reports:pdf_job", args=[demo.code])).status_code == 404
    assert Job.objects.count() == 0  # refused: nothing queued

    coordinator = login(User.objects.get(username="province"))
    coordinator.get(reverse("reports:pdf", args=[demo.code]))
    job = Job.objects.get()
    run_worker()
    for other in (stranger, User.objects.get(username="xining")):
        client = login(other)
        assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert Job.objects.count() == 1
