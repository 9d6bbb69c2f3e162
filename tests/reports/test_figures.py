"""Every figure of the final summary against a direct count from a database built here:
units in and out of a prefecture, returned and unverified reports, pending and established
pairings, confirmed and unconfirmed activities, and a report date before some entries."""
from datetime import date, timedelta
from decimal import Decimal

import docx
import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.models import Assignment, ProgressReport, Region, Unit
from pairing.models import MentoringActivity, Pairing
from reports.collect import collect
from reports.data import percent, round_half_up
from reports.docx import render_docx
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx
from tests.factories import make_campaign, make_region, make_section, make_task, make_unit, make_user

from .conftest import pdf_text, squash

S = Assignment.Status


def _entry(assignment, author, status, **figures):
    return ProgressReport.objects.create(assignment=assignment, author=author, text="工作进展", percent=50,
                                         status=status, **figures)


@pytest.fixture
def world(db):
    province = make_region("甲省", kind=Region.Kind.PROVINCE)
    pref_a = make_region("甲市", parent=province, ordinal=1)
    pref_b = make_region("乙州", parent=province, ordinal=2)
    division = make_unit("省局服务处", kind=Unit.Kind.PROVINCIAL_DIVISION, region=province)
    bureau_a = make_unit("甲市市场监管局", region=pref_a)
    library_a = make_unit("甲市图书馆", kind=Unit.Kind.OTHER, region=pref_a)
    bureau_b = make_unit("乙州市场监管局", region=pref_b)
    centre = make_unit("省知识产权服务中心", kind=Unit.Kind.SERVICE_INSTITUTION, region=province)
    university = make_unit("甲省大学", kind=Unit.Kind.UNIVERSITY, region=pref_a)  # located in the capital
    campaign = make_campaign(division, title="甲省测试活动方案")
    section = make_section(campaign, 1, "活动启动")
    t1 = make_task(campaign, section, 1, units=[bureau_a, library_a, centre], deadline=date(2024, 6, 30))
    t2 = make_task(campaign, section, 2, units=[bureau_b, university], deadline=date(2024, 6, 30))
    a = {x.unit.name: x for x in Assignment.objects.filter(task__in=[t1, t2]).select_related("unit")}
    user = make_user(division)
    # 甲市监管局: submitted and verified -> counts.
    _entry(a["甲市市场监管局"], user, S.SUBMITTED, events_held=2, participants=30, enterprises_served=4)
    _entry(a["甲市市场监管局"], user, S.VERIFIED)
    # 甲市图书馆: submitted, not yet verified -> awaiting verification.
    _entry(a["甲市图书馆"], user, S.SUBMITTED, events_held=5, participants=50)
    # 乙州: a returned report counts nowhere; its new in-progress report is awaiting.
    _entry(a["乙州市场监管局"], user, S.SUBMITTED, events_held=7, participants=700, enterprises_served=70)
    _entry(a["乙州市场监管局"], user, S.RETURNED)
    _entry(a["乙州市场监管局"], user, S.IN_PROGRESS, events_held=1, participants=10)
    # University (provincial table though located in 甲市): verified.
    _entry(a["甲省大学"], user, S.SUBMITTED, events_held=3, participants=33, consultations=6)
    _entry(a["甲省大学"], user, S.VERIFIED)
    # Provincial centre: in progress -> awaiting, provincial table.
    _entry(a["省知识产权服务中心"], user, S.IN_PROGRESS, events_held=4, participants=40)
    for assignment in a.values():  # the stored status follows the journal, as services keep it
        assignment.status = assignment.reports.order_by("-created_at", "-pk").first().status
        assignment.save()
    established = Pairing.objects.create(campaign=campaign, mentor=centre, mentee=library_a, status=Pairing.Status.ACTIVE)
    Pairing.objects.create(campaign=campaign, mentor=university, mentee=bureau_b, status=Pairing.Status.PROPOSED)
    Pairing.objects.create(campaign=campaign, mentor=centre, mentee=bureau_b, status=Pairing.Status.REJECTED)
    today = timezone.localdate()
    MentoringActivity.objects.create(pairing=established, date=today, kind="training", summary="培训",
                                     logged_by_unit=centre, confirmed_at=timezone.now())
    MentoringActivity.objects.create(pairing=established, date=today, kind="qa", summary="答疑", logged_by_unit=centre)
    return {"campaign": campaign, "a": a, "pref_a": pref_a, "pref_b": pref_b, "units": locals()}


def _verified_sum(field, **filters):
    """Direct count: figures of unit reports followed by a verification on the same assignment."""
    verified = ProgressReport.objects.filter(status=S.VERIFIED).values_list("assignment_id", flat=True)
    return ProgressReport.objects.filter(
        assignment_id__in=verified, status__in=[S.SUBMITTED, S.IN_PROGRESS], **filters
    ).aggregate(s=Sum(field))["s"] or 0


def test_figures_count_verified_reports_and_keep_awaiting_ones_apart(world):
    data = collect(world["campaign"])
    o = data.overview
    assert o.verified.events_held == _verified_sum("events_held") == 5
    assert o.verified.participants == _verified_sum("participants") == 63
    assert o.verified.consultations == _verified_sum("consultations") == 6
    # Awaiting: 甲市图书馆 5 + 乙州 new report 1 + centre 4; the returned 7 events count nowhere.
    assert (o.pending.events_held, o.pending.participants) == (10, 100)
    assert 7 not in (o.verified.events_held, o.pending.events_held)
    assert o.verified.enterprises_served + o.pending.enterprises_served == 4  # 70 of the returned report left out


def test_a_prefecture_row_holds_only_its_own_units_and_provincial_units_form_their_own_table(world):
    data = collect(world["campaign"])
    rows = {r.name: r for r in data.prefectures}
    assert [r.name for r in data.prefectures] == ["甲市", "乙州"]
    own_a = Assignment.objects.filter(unit__region=world["pref_a"]).exclude(unit__kind=Unit.Kind.UNIVERSITY).count()
    assert rows["甲市"].assignments_total == own_a == 2  # bureau + library, not the university
    assert (rows["甲市"].verified.events_held, rows["甲市"].pending.events_held) == (2, 5)
    assert (rows["乙州"].verified.events_held, rows["乙州"].pending.events_held) == (0, 1)
    provincial = {r.name: r for r in data.provincial}
    assert set(provincial) == {"甲省大学", "省知识产权服务中心"}
    assert provincial["甲省大学"].verified.events_held == 3
    assert provincial["省知识产权服务中心"].pending.events_held == 4


def test_pairings_count_when_established_and_activities_when_the_mentee_confirmed(world):
    o = collect(world["campaign"]).overview
    assert o.pairings == Pairing.objects.filter(status=Pairing.Status.ACTIVE).count() == 1
    assert o.pairings_proposed == Pairing.objects.filter(status=Pairing.Status.PROPOSED).count() == 1
    assert o.mentoring_activities == MentoringActivity.objects.filter(confirmed_at__isnull=False).count() == 1
    assert o.mentoring_unconfirmed == 1


def test_nothing_dated_after_the_report_date_appears(world):
    a = world["a"]["甲市市场监管局"]
    later = timezone.now() + timedelta(days=3)
    a.reports.filter(status=S.VERIFIED).update(created_at=later)  # verified only after the report date
    MentoringActivity.objects.filter(confirmed_at__isnull=False).update(confirmed_at=later)
    data = collect(world["campaign"], today=timezone.localdate())
    assert data.overview.verified.events_held == 3  # only the university's
    assert data.overview.pending.events_held == 12  # 甲市 now awaiting
    assert data.overview.mentoring_activities == 0
    row = data.sections[0].rows[0]
    assert row.completed_on is None or row.completed_on <= data.report_date


def test_the_report_date_boundary_day_itself_is_included(world):
    a = world["a"]["甲市市场监管局"]
    day = date(2024, 10, 15)
    end_of_day = timezone.make_aware(timezone.datetime(2024, 10, 15, 23, 59))
    ProgressReport.objects.filter(assignment__task__campaign=world["campaign"]).update(created_at=end_of_day)
    assert collect(world["campaign"], today=day).overview.verified.events_held == 5
    assert collect(world["campaign"], today=day - timedelta(days=1)).overview.verified.events_held == 0
    assert a.reports.count() == 2


def test_percentages_and_means_round_half_up_as_by_hand():
    assert round_half_up(109.25) == Decimal("109.3")
    assert round_half_up(2.675, 2) == Decimal("2.68")
    assert percent(437, 400) == Decimal("109.3")  # 109.25 %
    assert percent(1, 8) == Decimal("12.5") and percent(1, 16) == Decimal("6.3")


def test_every_figure_reaches_the_pdf_the_docx_and_the_annex(world, tmp_path, need_poppler):
    data = collect(world["campaign"])
    path = tmp_path / "r.pdf"
    path.write_bytes(render_pdf(data))
    text = squash(pdf_text(path))
    assert "举办活动5场，参与63人次" in text
    assert "已报送待核验的活动10场，参与100人次" in text
    assert "已建立结对帮扶关系1对（另有待确认提议1对）" in text and "帮扶活动1次" in text
    assert "甲市" in text and "甲省大学" in text

    (tmp_path / "r.docx").write_bytes(render_docx(data))
    document = docx.Document(tmp_path / "r.docx")
    body = "".join(p.text for p in document.paragraphs)
    assert "举办活动5场，参与63人次" in body and "已报送待核验的活动10场，参与100人次" in body
    tables = {t.rows[0].cells[0].text: t for t in document.tables}
    pref = [[c.text for c in r.cells] for r in tables["市州"].rows]
    assert pref[1][:2] == ["甲市", "2"] and pref[1][5] == "2" and pref[1][8] == "5"

    wb = load_workbook(filename=__import__("io").BytesIO(render_xlsx(data)))
    sheet = wb["各市州情况"]
    assert [c.value for c in sheet[2]][:2] == ["甲市", 2] and sheet[2][5].value == 2 and sheet[2][8].value == 5
    assert [c.value for c in wb["省直单位情况"]["A"]][1:] == ["省知识产权服务中心", "甲省大学"]


def test_a_national_campaign_groups_by_province_not_by_hundreds_of_prefectures(db):
    provinces = [make_region(f"省{i}", kind=Region.Kind.PROVINCE, ordinal=i) for i in range(3)]
    units = []
    for p in provinces:
        for j in range(4):
            prefecture = make_region(f"{p.name}市{j}", parent=p)
            units.append(make_unit(f"{prefecture.name}局", region=prefecture))
    national = make_unit("国家局服务司", kind=Unit.Kind.PROVINCIAL_DIVISION)  # no region: national
    campaign = make_campaign(national)
    make_task(campaign, units=units)
    data = collect(campaign)
    assert [r.name for r in data.prefectures] == ["省0", "省1", "省2"]
    assert [r.assignments_total for r in data.prefectures] == [4, 4, 4] == [
        Assignment.objects.filter(unit__region__parent=p).count() for p in provinces]
    assert data.area_label == "省份"


def test_units_outside_the_home_province_are_grouped_apart(world):
    elsewhere = make_region("丙省", kind=Region.Kind.PROVINCE)
    visitor = make_unit("丙省某局", region=make_region("丙市", parent=elsewhere))
    make_task(world["campaign"], units=[visitor])
    rows = {r.name: r for r in collect(world["campaign"]).prefectures}
    assert rows["其他地区"].assignments_total == 1 and "丙市" not in rows
