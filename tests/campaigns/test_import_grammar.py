"""The grammar of a task line: who is responsible (and how the text says it) and by when."""

from datetime import date

import pytest

from campaigns import importing
from campaigns.plan_grammar import CO, LEAD, read_time_limit, split_task_text


def parties(text):
    body, found = split_task_text(text)
    return body, [(p.phrase, p.role) for p in found.parties], found.deadline


@pytest.mark.parametrize(
    "text, expected",
    [
        ("推进口岸建设。（海关总署负责）", ("推进口岸建设", [("海关总署", None)], "")),
        (
            "扩大出口信保。（牵头单位：市发展改革委，配合单位：市财政局、市商务局）",
            ("扩大出口信保", [("市发展改革委", LEAD), ("市财政局、市商务局", CO)], ""),
        ),
        ("加强融资支持。（商务部等有关部门负责）", ("加强融资支持", [("商务部", None), ("有关部门", CO)], "")),
        ("开展维权援助。（市市场监管局会同市商务局负责）", ("开展维权援助", [("市市场监管局", LEAD), ("市商务局", CO)], "")),
        ("监测分析。（各有关单位按职责分工负责）", ("监测分析", [("各有关单位", None)], "")),
        (
            "做好宣传。（市委宣传部牵头，市文明办配合；时间：4月）",
            ("做好宣传", [("市委宣传部", LEAD), ("市文明办", CO)], "4月"),
        ),
        ("清理收费，2024年6月30日前完成。", ("清理收费", [], "2024年6月30日前完成")),
        ("建设平台。（市市场监管局，2024年9月底前）", ("建设平台", [("市市场监管局", None)], "2024年9月底前")),
        (
            "技能培训。\n责任单位：市人社局、市教育局\n完成时限：长期坚持",
            ("技能培训", [("市人社局、市教育局", None)], "长期坚持"),
        ),
        # a trailing remark that names nobody stays in the title
        ("实施知识产权管理办法（试行）", ("实施知识产权管理办法（试行）", [], "")),
        ("研究制定配套措施（以下简称“配套措施”）。", ("研究制定配套措施（以下简称“配套措施”）", [], "")),
    ],
)
def test_responsible_parties_and_time_limits_are_read_off_the_end_of_a_task(text, expected):
    assert parties(text) == expected


def test_a_convention_sentence_is_not_taken_for_a_unit():
    assert parties("推进改革。（排在第一位的为牵头单位；市发展改革委、市财政局）")[1] == [("市发展改革委、市财政局", None)]


def test_down_the_list_marks_the_parties_as_carried_on():
    _, found = split_task_text("保障用工。（市人社局牵头，各区人民政府落实，下同）")
    assert found.carry and [p.phrase for p in found.parties] == ["市人社局", "各区人民政府"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024年6月底前", (date(2024, 6, 30), False)),
        ("6月底", (date(2024, 6, 30), False)),
        ("2月底前", (date(2024, 2, 29), False)),  # a leap year's February
        ("2025年2月底前", (date(2025, 2, 28), False)),
        ("6月30日前完成", (date(2024, 6, 30), False)),
        ("时间：4月", (date(2024, 4, 30), False)),
        ("完成时限：2024年12月", (date(2024, 12, 31), False)),
        ("2024年底前", (date(2024, 12, 31), False)),
        ("年底前完成首批备案", (date(2024, 12, 31), False)),
        ("上半年", (date(2024, 6, 30), False)),
        ("第三季度", (date(2024, 9, 30), False)),
        ("2024年4—9月", (date(2024, 9, 30), False)),
        ("2024—2025年", (date(2025, 12, 31), False)),
        ("长期坚持", (None, True)),
        ("持续推进", (None, True)),
    ],
)
def test_time_limits_as_plans_write_them(text, expected):
    assert read_time_limit(text, 2024) == expected


@pytest.mark.parametrize("text", ["6月31日前", "13月底", "下周", "尽快"])
def test_an_unreadable_time_limit_is_an_error_not_a_guess(text):
    with pytest.raises(ValueError):
        read_time_limit(text, 2024)
    with pytest.raises(ValueError, match="无法识别的日期"):
        importing.parse_deadline(text, 2024)


def test_a_group_phrase_with_a_comma_is_one_unknown_name_not_two(db):
    from campaigns.directory import Directory
    from campaigns.models import Unit
    from campaigns.plan_grammar import Party

    Unit.objects.create(name="市司法局", kind=Unit.Kind.OTHER)
    entries, unknown, vague = Directory().resolve_parties([Party("市司法局、市场监管局"), Party("各市、县人民政府")])
    assert [e.text for e in entries] == ["市司法局"]
    assert unknown == ["市场监管局", "各市、县人民政府"] and vague == []


def test_unnumbered_paragraphs_naming_their_own_parties_are_tasks_too():
    from campaigns.notice import parse_notice

    notice = parse_notice(
        """二、重点任务
（一）扩大对外开放。
放宽服务业市场准入。（商务部、国家发展改革委负责）
优化外商投资服务。（商务部负责）
（二）优化营商环境。
压减行政许可事项。（国务院办公厅牵头）
三、保障措施
各地区各部门要抓好落实。
"""
    )
    assert [(t.number, t.section, t.title, [p.phrase for p in t.parties]) for t in notice.tasks] == [
        (1, 1, "放宽服务业市场准入", ["商务部、国家发展改革委"]),
        (2, 1, "优化外商投资服务", ["商务部"]),
        (3, 2, "压减行政许可事项", ["国务院办公厅"]),
    ]
    assert notice.sections == {1: "扩大对外开放", 2: "优化营商环境"}


def test_labelled_lines_with_a_leader_named_give_only_the_units():
    from campaigns.notice import parse_notice

    notice = parse_notice(
        """一、确保完成全年主要预期目标
1. 地区生产总值增长8%以上。
牵头负责领导:王明。
牵头责任单位:市发展改革委。
协同责任单位:市经信局、市商务局等,各县、市、区政府。
2. 财政收入增长8%左右。
牵头负责领导:王明。
牵头责任单位:市财政局。
协同责任单位:市税务局,市级各有关部门及各县市区政府。
"""
    )
    assert [(t.number, t.title, [(p.phrase, p.role) for p in t.parties]) for t in notice.tasks] == [
        (1, "地区生产总值增长8%以上", [("市发展改革委", LEAD), ("市经信局、市商务局", CO), ("各县、市、区政府", CO)]),
        (2, "财政收入增长8%左右", [("市财政局", LEAD), ("市税务局", CO), ("市级各有关部门", CO), ("各县市区政府", CO)]),
    ]
