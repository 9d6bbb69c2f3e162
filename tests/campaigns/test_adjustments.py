"""调整报备: a unit asks, the coordinator approves (the change applies, history keeps the old value) or rejects."""
from datetime import date

import pytest
from django.urls import reverse

from campaigns import services
from campaigns.models import AdjustmentRequest, Membership, Task, Unit
from tests.campaigns.progress_helpers import counts
from tests.factories import make_campaign, make_task, make_unit, make_user


@pytest.fixture
def plan(db):
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    bureau_a, bureau_b = make_unit("玉树州市场监督管理局", short_name="玉树"), make_unit("果洛州市场监督管理局")
    campaign = make_campaign(office)
    task = make_task(campaign, units=[bureau_a, bureau_b], deadline=date(2024, 6, 30), title="开展知识产权进企业活动")
    return {
        "campaign": campaign,
        "task": task,
        "a": task.assignments.get(unit=bureau_a),
        "b": task.assignments.get(unit=bureau_b),
        "coordinator": make_user(office, Membership.Role.COORDINATOR, first_name="省局王老师"),
        "reporter_a": make_user(bureau_a, first_name="玉树才让"),
        "reporter_b": make_user(bureau_b),
    }


def file_deadline(client, assignment, when="2024-08-15", reason="虫草采挖季企业人员外出，活动需顺延"):
    return client.post(
        reverse("campaigns:request_adjustment", args=[assignment.pk]),
        {"kind": "deadline", "proposed_deadline": when, "reason": reason},
    )


def decide(client, request, decision, comment=""):
    return client.post(reverse("campaigns:decide_adjustment", args=[request.pk]), {"decision": decision, "comment": comment})


def task_state(task):
    task.refresh_from_db()
    return (task.deadline, task.title, task.description, task.history.count())


def test_approved_adjustment_moves_the_deadline_and_keeps_the_old_one_in_history(plan, login):
    assert file_deadline(login(plan["reporter_a"]), plan["a"]).status_code == 302
    request = AdjustmentRequest.objects.get()
    assert (request.status, request.current_deadline, request.proposed_deadline) == (
        "pending", date(2024, 6, 30), date(2024, 8, 15)
    )
    assert plan["task"].deadline == date(2024, 6, 30)  # nothing applied before a decision

    coordinator = login(plan["coordinator"])
    assert decide(coordinator, request, "approve", "同意顺延").status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.comment) == ("approved", plan["coordinator"], "同意顺延")

    task = Task.objects.get(pk=plan["task"].pk)
    assert task.deadline == date(2024, 8, 15)
    assert task.original_deadline == date(2024, 6, 30)
    latest, previous = task.history.order_by("-history_date", "-history_id")[:2]
    assert (previous.deadline, latest.deadline) == (date(2024, 6, 30), date(2024, 8, 15))
    assert latest.history_user == plan["coordinator"]
    assert "虫草采挖季企业人员外出" in latest.history_change_reason and "玉树" in latest.history_change_reason
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("deadline", date(2024, 6, 30), date(2024, 8, 15))]

    # the task page shows who changed what, the old and new value and why
    page = coordinator.get(reverse("campaigns:task", args=[plan["campaign"].code, task.number])).content.decode()
    assert "2024-06-30" in page and "2024-08-15" in page and "虫草采挖季" in page and "省局王老师" in page


def test_content_adjustment_changes_the_task_title_when_approved(plan, login):
    client = login(plan["reporter_a"])
    response = client.post(
        reverse("campaigns:request_adjustment", args=[plan["a"].pk]),
        {"kind": "content", "proposed_title": "以线上直播方式开展知识产权进企业活动", "reason": "道路中断"},
    )
    assert response.status_code == 302
    services.approve_adjustment(AdjustmentRequest.objects.get(), plan["coordinator"])
    plan["task"].refresh_from_db()
    assert plan["task"].title == "以线上直播方式开展知识产权进企业活动"
    assert plan["task"].history.order_by("-history_date").first().history_change_reason.endswith("道路中断")


def test_rejected_adjustment_changes_nothing_and_needs_a_reason(plan, login):
    file_deadline(login(plan["reporter_a"]), plan["a"])
    request = AdjustmentRequest.objects.get()
    before = task_state(plan["task"])
    coordinator = login(plan["coordinator"])
    decide(coordinator, request, "reject", "")
    request.refresh_from_db()
    assert request.status == "pending"
    decide(coordinator, request, "reject", "全省统一时间节点，不宜顺延")
    request.refresh_from_db()
    assert (request.status, request.comment) == ("rejected", "全省统一时间节点，不宜顺延")
    assert task_state(plan["task"]) == before
    page = login(plan["reporter_a"]).get(reverse("campaigns:assignment", args=[plan["a"].pk])).content.decode()
    assert "未批准" in page and "全省统一时间节点，不宜顺延" in page


def test_a_request_is_decided_once(plan, login):
    file_deadline(login(plan["reporter_a"]), plan["a"])
    request = AdjustmentRequest.objects.get()
    services.reject_adjustment(request, plan["coordinator"], "不同意")
    before = task_state(plan["task"])
    with pytest.raises(services.Conflict, match="已由 省局王老师 于 .* 审核为“未批准”"):
        services.approve_adjustment(AdjustmentRequest.objects.get(), plan["coordinator"])
    assert task_state(plan["task"]) == before
    assert AdjustmentRequest.objects.get().status == "rejected"


def test_approval_is_refused_if_the_deadline_moved_since_the_request(plan, login):
    file_deadline(login(plan["reporter_a"]), plan["a"], when="2024-08-15")
    file_deadline(login(plan["reporter_b"]), plan["b"], when="2024-07-20")
    first, second = AdjustmentRequest.objects.order_by("pk")
    services.approve_adjustment(second, plan["coordinator"])
    before = task_state(plan["task"])
    with pytest.raises(services.Conflict, match="已改为 2024-07-20"):
        services.approve_adjustment(first, plan["coordinator"])
    assert task_state(plan["task"]) == before
    assert AdjustmentRequest.objects.get(pk=first.pk).status == "pending"


def test_bad_requests_are_refused_with_a_message(plan, login):
    client = login(plan["reporter_a"])
    before = counts()
    response = client.post(reverse("campaigns:request_adjustment", args=[plan["a"].pk]), {"kind": "deadline", "reason": "x"})
    assert response.status_code == 200 and "请填写拟调整的完成时限" in response.content.decode()
    response = file_deadline(client, plan["a"], when="2024-06-30")
    assert response.status_code == 400 and "与现在的完成时限相同" in response.content.decode()
    assert counts() == before
    file_deadline(client, plan["a"])
    response = file_deadline(client, plan["a"], when="2024-09-01")
    assert response.status_code == 400 and "已有一条同类调整报备" in response.content.decode()
    assert AdjustmentRequest.objects.count() == 1


def test_other_units_cannot_file_and_reporters_cannot_decide(plan, login):
    file_deadline(login(plan["reporter_a"]), plan["a"])
    request = AdjustmentRequest.objects.get()
    before, task_before = counts(), task_state(plan["task"])

    other = login(plan["reporter_b"])
    assert file_deadline(other, plan["a"]).status_code == 404
    assert decide(other, request, "approve").status_code == 404  # another unit's request is out of sight
    own = login(plan["reporter_a"])
    assert decide(own, request, "approve").status_code == 403  # a unit cannot approve its own request
    outsider_office = make_unit("外省处室", kind=Unit.Kind.PROVINCIAL_DIVISION)
    make_campaign(outsider_office)
    outsider = login(make_user(outsider_office, Membership.Role.COORDINATOR))
    assert decide(outsider, request, "approve").status_code == 404

    assert counts() == before and task_state(plan["task"]) == task_before
    assert AdjustmentRequest.objects.get().status == "pending"
