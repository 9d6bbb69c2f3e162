"""The plan editor's services (campaigns/editor.py) and services.copy_plan."""
from datetime import date

import pytest

from campaigns import editor, services
from campaigns.models import Assignment, Campaign, Membership, ProgressReport, Section, Task, Unit, UnitGroup
from campaigns.services import ActionRefused
from tests.factories import make_campaign, make_section, make_task, make_unit, make_user


@pytest.fixture
def world(db):
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION, short_name="公共服务处")
    brand = make_unit("省局商标品牌处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    xining = make_unit("西宁市市场监管局", short_name="西宁市局", ordinal=1)
    haidong = make_unit("海东市市场监管局", ordinal=2)
    group = UnitGroup.objects.create(name="各市州市场监管局")
    group.members.set([xining, haidong])
    campaign = make_campaign(office, status=Campaign.Status.DRAFT)
    return {
        "office": office, "brand": brand, "xining": xining, "haidong": haidong, "group": group,
        "campaign": campaign,
        "coordinator": make_user(office, Membership.Role.COORDINATOR, username="province"),
        "bureau": make_user(xining, username="xining"),
    }


def snapshot(campaign):
    """Everything of a campaign's plan a refused edit must leave as it was."""
    campaign.refresh_from_db()
    return (
        campaign.status, campaign.title,
        list(Section.objects.filter(campaign=campaign).order_by("ordinal").values_list("pk", "ordinal", "title")),
        list(Task.objects.filter(campaign=campaign).order_by("number").values_list(
            "pk", "number", "section_id", "title", "deadline", "original_deadline", "purpose")),
        list(Assignment.objects.filter(task__campaign=campaign).order_by("pk").values_list(
            "pk", "unit_id", "role", "status", "percent")),
        ProgressReport.objects.filter(assignment__task__campaign=campaign).count(),
    )


def report_on(assignment, user, text="已开展活动"):
    return services.submit_progress(assignment, user, expected_version=assignment.version, text=text, percent=40)


# ---------------------------------------------------------------- sections and tasks


def test_a_task_takes_its_units_as_the_notice_writes_them(world):
    w = world
    section = editor.add_section(w["campaign"], w["coordinator"], title="活动启动")
    entries = editor.resolve_units("省局知识产权公共服务处、商标品牌处，各市州市场监管局")
    task = editor.add_task(w["campaign"], w["coordinator"], section=section, title="发布活动方案", entries=entries,
                           deadline=date(2024, 4, 26))
    rows = list(task.assignments.order_by("position").values_list("unit__name", "role", "via_group__name"))
    assert rows == [
        ("省局知识产权公共服务处", "lead", None),
        ("省局商标品牌处", "co", None),
        ("西宁市市场监管局", "co", "各市州市场监管局"),
        ("海东市市场监管局", "co", "各市州市场监管局"),
    ]
    assert task.responsible_display() == "省局知识产权公共服务处，省局商标品牌处，各市州市场监管局"
    assert (task.number, task.deadline, task.original_deadline) == (1, date(2024, 4, 26), date(2024, 4, 26))


def test_short_names_resolve_like_the_importer(world):
    entries = editor.resolve_units("西宁市局、公共服务处")
    assert [e.units[0].name for e in entries] == ["西宁市市场监管局", "省局知识产权公共服务处"]


def test_an_unknown_unit_is_refused_with_a_suggestion_and_nothing_is_written(world):
    w = world
    section = make_section(w["campaign"])
    before = snapshot(w["campaign"])
    with pytest.raises(ActionRefused) as error:
        editor.resolve_units("省局知识产权公共服务处，西宁市市场监督局")
    assert "未知单位“西宁市市场监督局”" in str(error.value)
    assert "是否为“西宁市市场监管局”" in str(error.value)
    assert snapshot(w["campaign"]) == before
    assert section.tasks.count() == 0


def test_a_new_task_goes_to_the_end_of_its_section_and_later_tasks_are_renumbered(world):
    w = world
    first, second = make_section(w["campaign"], 1, "启动"), make_section(w["campaign"], 2, "培训")
    a = make_task(w["campaign"], section=first, number=1, units=[w["office"]])
    b = make_task(w["campaign"], section=second, number=2, units=[w["office"]])
    new = editor.add_task(w["campaign"], w["coordinator"], section=first, title="新任务",
                          entries=editor.resolve_units("西宁市市场监管局"))
    assert [(t.pk, t.number) for t in Task.objects.filter(campaign=w["campaign"]).order_by("number")] == [
        (a.pk, 1), (new.pk, 2), (b.pk, 3)]
    record = Task.objects.get(pk=b.pk).history.first()
    assert record.number == 3 and record.history_change_reason == "新增任务"
    assert record.history_user == w["coordinator"]


def test_editing_a_task_keeps_the_old_value_who_and_why(world):
    w = world
    w["campaign"].status = Campaign.Status.ACTIVE
    w["campaign"].save()
    task = make_task(w["campaign"], units=[w["office"]], deadline=date(2024, 6, 30))
    changed = editor.update_task(task, w["coordinator"], reason="省局统一安排", title="新标题", deadline=date(2024, 7, 15))
    assert set(changed) == {"title", "deadline"}
    task.refresh_from_db()
    assert (task.title, task.deadline, task.original_deadline) == ("新标题", date(2024, 7, 15), date(2024, 6, 30))
    latest, previous = task.history.all()[:2]
    assert latest.history_change_reason == "修改任务：省局统一安排"
    assert latest.history_user == w["coordinator"]
    assert (previous.title, previous.deadline) == ("任务1", date(2024, 6, 30))


def test_in_a_draft_the_original_deadline_follows_the_deadline(world):
    task = make_task(world["campaign"], units=[world["office"]], deadline=date(2024, 6, 30))
    editor.update_task(task, world["coordinator"], deadline=date(2024, 8, 1))
    task.refresh_from_db()
    assert task.original_deadline == date(2024, 8, 1)


def test_moving_a_task_up_swaps_numbers_within_its_section(world):
    w = world
    section = make_section(w["campaign"])
    a, b = (make_task(w["campaign"], section=section, units=[w["office"]]) for _ in range(2))
    editor.move_task(b, w["coordinator"], offset=-1, reason="先培训")
    assert Task.objects.get(pk=b.pk).number == 1 and Task.objects.get(pk=a.pk).number == 2
    assert Task.objects.get(pk=b.pk).history.first().history_change_reason == "调整任务顺序：先培训"


def test_a_task_cannot_move_past_the_top_of_its_section(world):
    w = world
    first, second = make_section(w["campaign"], 1), make_section(w["campaign"], 2)
    make_task(w["campaign"], section=first, units=[w["office"]])
    b = make_task(w["campaign"], section=second, units=[w["office"]])
    before = snapshot(w["campaign"])
    with pytest.raises(ActionRefused, match="最前或最后"):
        editor.move_task(b, w["coordinator"], offset=-1)
    assert snapshot(w["campaign"]) == before


def test_moving_a_task_to_another_section_puts_it_last_there(world):
    w = world
    first, second = make_section(w["campaign"], 1), make_section(w["campaign"], 2)
    a = make_task(w["campaign"], section=first, units=[w["office"]])
    b = make_task(w["campaign"], section=first, units=[w["office"]])
    c = make_task(w["campaign"], section=second, units=[w["office"]])
    editor.move_task(a, w["coordinator"], section=second)
    order = list(Task.objects.filter(campaign=w["campaign"]).order_by("number").values_list("pk", "section_id"))
    assert order == [(b.pk, first.pk), (c.pk, second.pk), (a.pk, second.pk)]


def test_moving_a_section_down_renumbers_the_tasks_to_follow(world):
    w = world
    first, second = make_section(w["campaign"], 1, "甲"), make_section(w["campaign"], 2, "乙")
    a = make_task(w["campaign"], section=first, units=[w["office"]])
    b = make_task(w["campaign"], section=second, units=[w["office"]])
    editor.move_section(first, w["coordinator"], offset=1)
    assert list(Section.objects.filter(campaign=w["campaign"]).order_by("ordinal").values_list("title", flat=True)) == [
        "乙", "甲"]
    assert (Task.objects.get(pk=b.pk).number, Task.objects.get(pk=a.pk).number) == (1, 2)


def test_a_section_with_tasks_is_not_removed(world):
    w = world
    section = make_section(w["campaign"])
    make_task(w["campaign"], section=section, units=[w["office"]])
    before = snapshot(w["campaign"])
    with pytest.raises(ActionRefused, match="下还有任务"):
        editor.remove_section(section, w["coordinator"])
    assert snapshot(w["campaign"]) == before


def test_removing_an_empty_section_closes_the_gap(world):
    w = world
    first, second, third = (make_section(w["campaign"], n, t) for n, t in ((1, "甲"), (2, "乙"), (3, "丙")))
    pk = second.pk
    editor.remove_section(second, w["coordinator"], reason="并入甲")
    assert list(Section.objects.filter(campaign=w["campaign"]).values_list("title", "ordinal")) == [("甲", 1), ("丙", 2)]
    assert Section.history.filter(id=pk, history_type="-").get().history_change_reason == "删除活动安排：并入甲"


# ---------------------------------------------------------------- removal never deletes what units reported


@pytest.fixture
def live(world):
    world["campaign"].status = Campaign.Status.ACTIVE
    world["campaign"].save()
    return world


def test_removing_a_task_nobody_reported_on_deletes_it_and_history_says_why(live):
    w = live
    task = make_task(w["campaign"], units=[w["office"], w["xining"]])
    pk = task.pk
    assert editor.remove_task(task, w["coordinator"], reason="与任务3重复") == "deleted"
    assert not Task.objects.filter(pk=pk).exists()
    assert Task.history.filter(id=pk, history_type="-").get().history_change_reason == "删除任务：与任务3重复"


def test_removing_a_task_with_reports_cancels_the_assignments_and_the_unit_sees_why(live):
    w = live
    task = make_task(w["campaign"], units=[w["office"], w["xining"]])
    mine = task.assignments.get(unit=w["xining"])
    report_on(mine, w["bureau"])
    assert editor.remove_task(task, w["coordinator"], reason="方案调整") == "cancelled"
    assert Task.objects.filter(pk=task.pk).exists()
    assert set(task.assignments.values_list("status", flat=True)) <= {"cancelled"}
    assert set(task.assignments.values_list("unit_id", flat=True)) >= {w["xining"].pk}
    journal = list(mine.reports.order_by("created_at", "pk").values_list("status", "text"))
    assert journal[0] == ("in_progress", "已开展活动")
    assert journal[1][0] == "cancelled" and "删除任务：方案调整" in journal[1][1]


def test_taking_a_unit_off_a_task_cancels_it_if_it_reported_and_deletes_it_if_not(live):
    w = live
    task = make_task(w["campaign"], units=[w["office"], w["xining"], w["haidong"]])
    report_on(task.assignments.get(unit=w["xining"]), w["bureau"])
    summary = editor.set_task_units(task, w["coordinator"], editor.resolve_units("省局知识产权公共服务处"),
                                    reason="只由省局承担")
    assert (summary["cancelled"], summary["deleted"]) == (1, 1)
    assert dict(task.assignments.values_list("unit__name", "status")) == {
        "省局知识产权公共服务处": "not_started", "西宁市市场监管局": "cancelled"}
    xining = task.assignments.get(unit=w["xining"])
    assert xining.reports.count() == 2
    assert xining.history.first().history_change_reason == "调整责任单位：只由省局承担"


def test_naming_a_cancelled_unit_again_restores_its_assignment_and_progress(live):
    w = live
    task = make_task(w["campaign"], units=[w["office"], w["xining"]])
    report_on(task.assignments.get(unit=w["xining"]), w["bureau"])
    editor.set_task_units(task, w["coordinator"], editor.resolve_units("省局知识产权公共服务处"))
    editor.set_task_units(task, w["coordinator"], editor.resolve_units("省局知识产权公共服务处，西宁市市场监管局"))
    xining = task.assignments.get(unit=w["xining"])
    assert (xining.status, xining.percent, xining.role) == ("in_progress", 40, "co")
    assert xining.reports.count() == 3


def test_a_lead_can_be_changed_without_losing_the_units_progress(live):
    w = live
    task = make_task(w["campaign"], units=[w["office"], w["xining"]])
    report_on(task.assignments.get(unit=w["xining"]), w["bureau"])
    editor.set_task_units(task, w["coordinator"], editor.resolve_units("西宁市市场监管局，省局知识产权公共服务处"))
    assert dict(task.assignments.values_list("unit__name", "role")) == {
        "西宁市市场监管局": "lead", "省局知识产权公共服务处": "co"}
    assert task.assignments.get(unit=w["xining"]).percent == 40


# ---------------------------------------------------------------- deadlines in bulk


def test_deadlines_set_in_bulk_for_the_selected_tasks_only(world):
    w = world
    a, b, c = (make_task(w["campaign"], units=[w["office"]], deadline=None) for _ in range(3))
    assert editor.set_deadlines([a, b], w["coordinator"], deadline=date(2024, 6, 28), reason="统一") == 2
    deadlines = dict(Task.objects.filter(campaign=w["campaign"]).values_list("pk", "deadline"))
    assert deadlines == {a.pk: date(2024, 6, 28), b.pk: date(2024, 6, 28), c.pk: None}
    assert Task.objects.get(pk=a.pk).history.first().history_change_reason == "完成时限统一设为 2024-06-28：统一"


def test_deadlines_shift_by_days_and_tasks_without_one_stay_without(live):
    w = live
    a = make_task(w["campaign"], units=[w["office"]], deadline=date(2024, 6, 28))
    b = make_task(w["campaign"], units=[w["office"]], deadline=None)
    assert editor.set_deadlines([a, b], w["coordinator"], shift_days=5, reason="顺延") == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.deadline, a.original_deadline, b.deadline) == (date(2024, 7, 3), date(2024, 6, 28), None)
    assert a.history.first().history_change_reason == "完成时限顺延 5 天：顺延"


def test_a_bulk_change_without_tasks_or_with_both_a_date_and_days_is_refused(world):
    w = world
    task = make_task(w["campaign"], units=[w["office"]])
    before = snapshot(w["campaign"])
    with pytest.raises(ActionRefused, match="勾选"):
        editor.set_deadlines([], w["coordinator"], deadline=date(2024, 6, 1))
    with pytest.raises(ActionRefused, match="二者选一"):
        editor.set_deadlines([task], w["coordinator"], deadline=date(2024, 6, 1), shift_days=3)
    assert snapshot(w["campaign"]) == before


# ---------------------------------------------------------------- lifecycle


def test_publishing_is_refused_with_the_list_of_what_is_missing(world):
    w = world
    make_task(w["campaign"], number=1, title="有牵头有时限", units=[w["office"]])
    make_task(w["campaign"], number=2, title="缺时限", units=[w["office"]], deadline=None)
    make_task(w["campaign"], number=3, title="缺单位", deadline=None)
    before = snapshot(w["campaign"])
    with pytest.raises(editor.PublishRefused) as error:
        editor.publish_campaign(w["campaign"], w["coordinator"])
    assert error.value.problems == ["任务2“缺时限”缺少完成时限", "任务3“缺单位”缺少牵头单位和完成时限"]
    assert snapshot(w["campaign"]) == before


def test_a_task_whose_lead_was_cancelled_has_no_lead(live):
    w = live
    task = make_task(w["campaign"], units=[w["xining"]])
    Assignment.objects.filter(task=task).update(status="cancelled")
    assert editor.publish_problems(w["campaign"]) == ["任务1“任务1”缺少牵头单位"]


def test_an_empty_campaign_cannot_be_published(world):
    with pytest.raises(editor.PublishRefused, match="还没有任务"):
        editor.publish_campaign(world["campaign"], world["coordinator"])


def test_publish_close_and_reopen_keep_who_and_why(world):
    w = world
    make_task(w["campaign"], units=[w["office"]])
    editor.publish_campaign(w["campaign"], w["coordinator"])
    editor.close_campaign(w["campaign"], w["coordinator"], reason="活动期满")
    editor.reopen_campaign(w["campaign"], w["coordinator"], reason="补报典型案例")
    w["campaign"].refresh_from_db()
    assert w["campaign"].status == "active"
    trail = [(r.status, r.history_change_reason, r.history_user) for r in w["campaign"].history.order_by("history_id")]
    assert trail[-3:] == [
        ("active", "发布", w["coordinator"]),
        ("closed", "结束：活动期满", w["coordinator"]),
        ("active", "重新开启：补报典型案例", w["coordinator"]),
    ]


def test_reopening_needs_a_reason(world):
    w = world
    w["campaign"].status = Campaign.Status.CLOSED
    w["campaign"].save()
    with pytest.raises(ActionRefused, match="理由"):
        editor.reopen_campaign(w["campaign"], w["coordinator"], reason=" ")
    w["campaign"].refresh_from_db()
    assert w["campaign"].status == "closed"


def test_a_closed_campaign_is_read_only_for_the_editor(world):
    w = world
    section = make_section(w["campaign"])
    task = make_task(w["campaign"], section=section, units=[w["office"]])
    w["campaign"].status = Campaign.Status.CLOSED
    w["campaign"].save()
    before = snapshot(w["campaign"])
    attempts = [
        lambda: editor.update_task(task, w["coordinator"], title="改"),
        lambda: editor.add_section(w["campaign"], w["coordinator"], title="新"),
        lambda: editor.remove_task(task, w["coordinator"]),
        lambda: editor.set_deadlines([task], w["coordinator"], shift_days=3),
        lambda: editor.update_campaign(w["campaign"], w["coordinator"], title="新标题"),
        lambda: editor.set_task_units(task, w["coordinator"], editor.resolve_units("西宁市市场监管局")),
    ]
    for attempt in attempts:
        with pytest.raises(ActionRefused, match="已结束"):
            attempt()
    assert snapshot(w["campaign"]) == before


def test_publishing_twice_is_refused(world):
    w = world
    make_task(w["campaign"], units=[w["office"]])
    editor.publish_campaign(w["campaign"], w["coordinator"])
    with pytest.raises(ActionRefused, match="进行中"):
        editor.publish_campaign(w["campaign"], w["coordinator"])


def test_a_unit_reporter_cannot_edit_publish_or_close(world):
    w = world
    task = make_task(w["campaign"], units=[w["office"], w["xining"]])
    before = snapshot(w["campaign"])
    for attempt in (
        lambda: editor.update_task(task, w["bureau"], title="改"),
        lambda: editor.publish_campaign(w["campaign"], w["bureau"]),
        lambda: editor.remove_task(task, w["bureau"]),
        lambda: services.copy_plan(w["campaign"], code="stolen", user=w["bureau"]),
    ):
        with pytest.raises(ActionRefused, match="协调人"):
            attempt()
    assert snapshot(w["campaign"]) == before
    assert not Campaign.objects.filter(code="stolen").exists()


def test_the_header_is_edited_with_its_reason_kept(world):
    w = world
    editor.update_campaign(w["campaign"], w["coordinator"], reason="按正式文件", document_number="青市监函〔2025〕12号",
                           issuing_authority="青海省市场监督管理局",
                           content_areas=[{"title": "摸清底数", "text": "开展调研"}])
    w["campaign"].refresh_from_db()
    assert w["campaign"].document_number == "青市监函〔2025〕12号"
    assert w["campaign"].content_areas == [{"title": "摸清底数", "text": "开展调研"}]
    latest, previous = w["campaign"].history.all()[:2]
    assert latest.history_change_reason == "修改活动方案信息：按正式文件"
    assert previous.document_number == ""


def test_an_end_before_the_start_is_refused(world):
    w = world
    before = snapshot(w["campaign"])
    with pytest.raises(ActionRefused, match="结束日期"):
        editor.update_campaign(w["campaign"], w["coordinator"], ends_on=date(2024, 3, 1))
    assert snapshot(w["campaign"]) == before


def test_a_coordinator_creates_a_campaign_from_nothing(world):
    w = world
    campaign = editor.create_campaign(w["coordinator"], code="qh-2025", title="2025年市州行",
                                      coordinating_unit=w["office"], starts_on=date(2025, 4, 1),
                                      ends_on=date(2025, 9, 30), summary_due=date(2025, 9, 30))
    assert (campaign.status, campaign.sections.count()) == ("draft", 0)


def test_a_campaign_cannot_be_created_for_a_unit_one_does_not_coordinate(world):
    w = world
    with pytest.raises(ActionRefused):
        editor.create_campaign(w["bureau"], code="qh-x", title="x", coordinating_unit=w["xining"],
                               starts_on=date(2025, 4, 1), ends_on=date(2025, 9, 30), summary_due=date(2025, 9, 30))
    assert not Campaign.objects.filter(code="qh-x").exists()


# ---------------------------------------------------------------- next year's plan


def test_copying_makes_a_draft_with_everything_shifted_and_leaves_the_old_plan_untouched(live):
    w = live
    source = w["campaign"]
    source.document_number = "青市监函〔2024〕144号"
    source.save()
    first, second = make_section(source, 1, "活动启动"), make_section(source, 2, "宣传推广")
    t1 = make_task(source, section=first, units=[w["office"]], deadline=date(2024, 4, 26), purpose="baseline_survey")
    make_task(source, section=second, deadline=date(2024, 9, 30))
    editor.set_task_units(t1, w["coordinator"], editor.resolve_units("省局知识产权公共服务处，各市州市场监管局"))
    report_on(t1.assignments.get(unit=w["xining"]), w["bureau"])
    before = snapshot(source)

    new = services.copy_plan(source, code="qh-2025", title="2025年方案", document_number="青市监函〔2025〕1号",
                             shift_days=365, user=w["coordinator"])

    assert snapshot(source) == before
    assert (new.status, new.title, new.document_number) == ("draft", "2025年方案", "青市监函〔2025〕1号")
    assert (new.starts_on, new.ends_on, new.summary_due) == (date(2025, 4, 1), date(2025, 9, 30), date(2025, 9, 30))
    assert list(new.sections.values_list("ordinal", "title")) == [(1, "活动启动"), (2, "宣传推广")]
    tasks = list(new.tasks.order_by("number"))
    assert [(t.number, t.section.title, t.deadline, t.original_deadline, t.purpose) for t in tasks] == [
        (1, "活动启动", date(2025, 4, 26), date(2025, 4, 26), "baseline_survey"),
        (2, "宣传推广", date(2025, 9, 30), date(2025, 9, 30), ""),
    ]
    copied = Task.objects.for_plan().get(pk=tasks[0].pk)
    assert copied.responsible_display() == "省局知识产权公共服务处，各市州市场监管局"
    assert set(copied.assignments.values_list("status", "percent")) == {("not_started", 0)}
    assert ProgressReport.objects.filter(assignment__task__campaign=new).count() == 0
    assert Unit.objects.count() == 4  # the directory is shared, not copied


def test_copying_onto_a_code_in_use_is_refused(live):
    w = live
    make_task(w["campaign"], units=[w["office"]])
    other = make_campaign(w["office"], code="taken")
    count = Campaign.objects.count()
    with pytest.raises(ActionRefused, match="已被"):
        services.copy_plan(w["campaign"], code=other.code, user=w["coordinator"])
    assert Campaign.objects.count() == count


@pytest.mark.parametrize(("day", "days"), [
    (date(2024, 4, 1), 365),   # past 29 February 2024: next year is 365 days on
    (date(2023, 4, 1), 366),   # across 29 February 2024
    (date(2024, 2, 29), 365),  # the leap day lands on 28 February
])
def test_one_year_on_is_the_same_day_next_year(day, days):
    from campaigns.views_editor import one_year_days

    assert one_year_days(day) == days
