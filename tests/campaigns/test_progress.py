"""Progress reports, marking done, verification and returns, conflicts and double submits."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.evidence import check_upload
from campaigns.models import Assignment, Evidence, Membership, ProgressReport, Unit
from tests.campaigns.progress_helpers import counts, pdf, photo, report_data, stored_files
from tests.factories import make_campaign, make_task, make_unit, make_user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def plan(db, media):
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau_a, bureau_b = make_unit("西宁市市场监督管理局", short_name="西宁"), make_unit("海东市市场监督管理局")
    campaign = make_campaign(office)
    task = make_task(campaign, units=[bureau_a, bureau_b], deadline=timezone.localdate() + timedelta(days=30))
    return {
        "campaign": campaign,
        "task": task,
        "a": task.assignments.get(unit=bureau_a),
        "b": task.assignments.get(unit=bureau_b),
        "coordinator": make_user(office, Membership.Role.COORDINATOR, first_name="省局王老师"),
        "reporter_a": make_user(bureau_a, first_name="西宁李明"),
        "reporter_a2": make_user(bureau_a, first_name="西宁张华"),
        "viewer_a": make_user(bureau_a, Membership.Role.VIEWER),
        "reporter_b": make_user(bureau_b),
    }


def post_report(client, assignment, files=(), **data):
    payload = report_data(assignment, **data)
    if files:
        payload["files"] = list(files)
    return client.post(reverse("campaigns:report", args=[assignment.pk]), payload)


def test_bureau_reports_progress_with_a_photo_and_a_pdf(plan, login, media):
    client = login(plan["reporter_a"])
    response = post_report(client, plan["a"], files=[photo("活动现场.png"), pdf("签到表.pdf")], percent=40)
    assert response.status_code == 302

    report = ProgressReport.objects.get()
    assert (report.author, report.status, report.percent) == (plan["reporter_a"], "in_progress", 40)
    assert (report.events_held, report.participants, report.enterprises_served, report.consultations) == (1, 60, 12, 8)
    evidence = list(report.evidence.order_by("original_name"))
    assert [(e.original_name, e.content_type) for e in evidence] == [
        ("活动现场.png", "image/png"), ("签到表.pdf", "application/pdf")
    ]
    for e in evidence:
        # stored under a generated name, not the uploader's
        assert e.original_name not in e.file.name and e.file.name.startswith("evidence/")
        assert (media / e.file.name).is_file()
    plan["a"].refresh_from_db()
    assert (plan["a"].status, plan["a"].percent) == ("in_progress", 40)

    # the journal shows on the assignment and on the task page
    page = client.get(reverse("campaigns:assignment", args=[plan["a"].pk])).content.decode()
    assert "在海湖新区举办知识产权政策宣讲会一场" in page and "签到表.pdf" in page
    task_page = client.get(reverse("campaigns:task", args=[plan["campaign"].code, plan["task"].number])).content.decode()
    assert "在海湖新区举办知识产权政策宣讲会一场" in task_page


def test_other_units_do_not_see_a_units_reports_on_the_task_page(plan, login):
    services.submit_progress(plan["a"], plan["reporter_a"], expected_version=1, text="西宁的内部进展", percent=10)
    client = login(plan["reporter_b"])
    page = client.get(reverse("campaigns:task", args=[plan["campaign"].code, plan["task"].number])).content.decode()
    assert "西宁的内部进展" not in page


def test_marking_done_needs_evidence(plan, login, media):
    client = login(plan["reporter_a"])
    before = counts()
    response = post_report(client, plan["a"], status="submitted", text="已完成")
    assert response.status_code == 400
    assert "至少一份佐证材料" in response.content.decode()
    assert counts() == before
    assert stored_files(media) == []


def test_marking_done_keeps_completion_date_and_lateness(plan, login):
    client = login(plan["reporter_a"])
    assert post_report(client, plan["a"], files=[photo()], status="submitted", percent=80).status_code == 302
    plan["a"].refresh_from_db()
    assert (plan["a"].status, plan["a"].percent, plan["a"].completed_late) == ("submitted", 100, False)
    assert plan["a"].completed_at is not None

    plan["task"].deadline = timezone.localdate() - timedelta(days=3)
    plan["task"].save()
    assert post_report(client, plan["b"], files=[photo()], status="submitted").status_code == 404  # not its unit
    client = login(plan["reporter_b"])
    assert post_report(client, plan["b"], files=[photo()], status="submitted").status_code == 302
    plan["b"].refresh_from_db()
    assert plan["b"].completed_late is True


def test_submitted_work_can_no_longer_be_reported_on(plan, login):
    client = login(plan["reporter_a"])
    post_report(client, plan["a"], files=[photo()], status="submitted")
    before = counts()
    response = post_report(client, plan["a"], percent=50)
    assert response.status_code == 400
    assert "不能再填报进度" in response.content.decode()
    assert counts() == before


def test_coordinator_returns_the_unit_fixes_and_the_coordinator_verifies(plan, login):
    a = plan["a"]
    reporter = login(plan["reporter_a"])
    post_report(reporter, a, files=[photo()], status="submitted", text="宣讲会已办完")

    coordinator = login(plan["coordinator"])
    a.refresh_from_db()
    # returning needs a reason
    before = counts()
    response = coordinator.post(reverse("campaigns:return", args=[a.pk]), {"version": a.version, "comment": " "})
    assert response.status_code == 400 and counts() == before
    response = coordinator.post(
        reverse("campaigns:return", args=[a.pk]), {"version": a.version, "comment": "请补充签到表和新闻报道链接"}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.completed_at) == ("returned", None)

    # the unit sees what was returned and why, on the assignment and on its dashboard
    reporter = login(plan["reporter_a"])
    page = reporter.get(reverse("campaigns:assignment", args=[a.pk])).content.decode()
    assert "已退回" in page and "请补充签到表和新闻报道链接" in page
    todo = reporter.get(reverse("campaigns:unit_dashboard")).content.decode()
    assert "请补充签到表和新闻报道链接" in todo

    assert post_report(reporter, a, files=[pdf()], status="submitted", text="已补充签到表").status_code == 302
    a.refresh_from_db()
    assert a.status == "submitted"

    coordinator = login(plan["coordinator"])
    response = coordinator.post(reverse("campaigns:verify", args=[a.pk]), {"version": a.version, "comment": ""})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "verified" and a.completed_at is not None
    assert list(a.reports.order_by("created_at", "pk").values_list("status", flat=True)) == [
        "submitted", "returned", "submitted", "verified"
    ]
    # every change kept with who and why
    reasons = list(a.history.order_by("history_date").values_list("history_change_reason", "history_user__first_name"))
    assert ("退回：请补充签到表和新闻报道链接", "省局王老师") in reasons
    assert ("核验通过：核验通过。", "省局王老师") in reasons


def test_verifying_something_not_submitted_is_refused(plan, login):
    client = login(plan["coordinator"])
    before = counts()
    response = client.post(reverse("campaigns:verify", args=[plan["a"].pk]), {"version": 1, "comment": ""})
    assert response.status_code == 400
    assert "只有“待核验”" in response.content.decode()
    assert counts() == before


def test_second_save_from_the_same_version_gets_a_conflict_showing_the_first(plan, login):
    a = plan["a"]
    first = report_data(a, text="李明：第一场宣讲完成", percent=30)
    second = report_data(a, text="张华：我的版本", percent=90)
    assert first["version"] == second["version"]

    assert login(plan["reporter_a"]).post(reverse("campaigns:report", args=[a.pk]), first).status_code == 302
    client = login(plan["reporter_a2"])
    response = client.post(reverse("campaigns:report", args=[a.pk]), second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "保存未成功" in html
    assert "西宁李明" in html and "进行中，30%" in html and "李明：第一场宣讲完成" in html
    assert "张华：我的版本" in html  # the user's own text is kept in the form to resubmit
    a.refresh_from_db()
    assert (a.percent, a.reports.count()) == (30, 1)
    assert a.reports.get().text == "李明：第一场宣讲完成"


def test_conflict_on_the_service_leaves_nothing_behind(plan, media):
    a = plan["a"]
    services.submit_progress(a, plan["reporter_a"], expected_version=1, text="先保存", percent=20)
    before = counts()
    with pytest.raises(services.Conflict):
        services.submit_progress(
            a, plan["reporter_a2"], expected_version=1, text="后保存", percent=70,
            files=[check_upload(photo())],
        )
    assert counts() == before
    assert [p.name for p in stored_files(media)] == []


def test_a_double_clicked_submit_makes_one_report(plan, login):
    client = login(plan["reporter_a"])
    data = report_data(plan["a"], text="双击提交")
    url = reverse("campaigns:report", args=[plan["a"].pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert ProgressReport.objects.filter(text="双击提交").count() == 1
    plan["a"].refresh_from_db()
    assert plan["a"].version == 2


def test_the_same_token_in_the_service_returns_the_first_report(plan):
    a = plan["a"]
    one = services.submit_progress(a, plan["reporter_a"], expected_version=1, text="x", percent=5, token="t-1")
    two = services.submit_progress(a, plan["reporter_a"], expected_version=1, text="x", percent=5, token="t-1")
    assert one.pk == two.pk and ProgressReport.objects.count() == 1


def test_reports_are_append_only(plan):
    report = services.submit_progress(plan["a"], plan["reporter_a"], expected_version=1, text="原文", percent=5)
    report.text = "篡改"
    with pytest.raises(ValueError):
        report.save()
    assert ProgressReport.objects.get().text == "原文"


def test_viewer_and_other_units_cannot_report_verify_or_return(plan, login):
    Assignment.objects.filter(pk=plan["b"].pk).update(status="submitted", percent=100)
    before = counts()
    viewer = login(plan["viewer_a"])
    assert post_report(viewer, plan["a"]).status_code == 403
    reporter = login(plan["reporter_a"])
    assert post_report(reporter, plan["b"]).status_code == 404
    for name in ("verify", "return"):
        data = {"version": 1, "comment": "x"}
        assert reporter.post(reverse(f"campaigns:{name}", args=[plan["b"].pk]), data).status_code == 404
        assert viewer.post(reverse(f"campaigns:{name}", args=[plan["a"].pk]), data).status_code == 403
    assert counts() == before


def test_evidence_is_served_only_to_those_who_may_see_the_assignment(plan, login, client):
    report = services.submit_progress(
        plan["a"], plan["reporter_a"], expected_version=1, text="附件", percent=10,
        files=[check_upload(pdf("会议纪要.pdf"))],
    )
    evidence = report.evidence.get()
    url = reverse("campaigns:evidence", args=[evidence.pk])
    for user in (plan["reporter_a"], plan["viewer_a"], plan["coordinator"]):
        response = login(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert login(plan["reporter_b"]).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_evidence_row_points_to_the_file_on_disk(plan, media):
    report = services.submit_progress(
        plan["a"], plan["reporter_a"], expected_version=1, text="附件", percent=10, files=[check_upload(photo())]
    )
    evidence = Evidence.objects.get(report=report)
    assert stored_files(media) == [media / evidence.file.name]
    assert evidence.size == (media / evidence.file.name).stat().st_size
