"""Figures the final summary takes from the other apps' records."""
from django.contrib.auth import get_user_model

from campaigns.models import Assignment, ProgressReport
from reports import pdf
from reports.collect import collect

from .conftest import pdf_text, squash


def _report(task_number, unit_name, **figures):
    assignment = Assignment.objects.get(task__number=task_number, unit__name=unit_name)
    author = get_user_model().objects.get(memberships__unit=assignment.unit)
    return ProgressReport.objects.create(
        assignment=assignment, author=author, text="开展活动", percent=50, status="in_progress", **figures
    )


def test_progress_figures_are_summed_per_campaign_and_prefecture(demo, tmp_path, need_poppler):
    _report(14, "西宁市市场监管局", events_held=2, participants=120, enterprises_served=30, consultations=5)
    _report(3, "西宁市市场监管局", events_held=1, participants=40, enterprises_served=0, consultations=12)
    _report(16, "海西州市场监管局", events_held=1, participants=85, enterprises_served=22, consultations=3)
    _report(18, "青海省青藏知识产权服务中心", events_held=0, participants=0, enterprises_served=9, consultations=0)

    data = collect(demo)
    o = data.overview
    assert (o.events_held, o.participants, o.enterprises_served, o.consultations) == (4, 245, 61, 20)
    rows = {r.name: r for r in data.prefectures}
    # 青藏中心 is in 西宁市: its enterprises count there too
    assert (rows["西宁市"].events_held, rows["西宁市"].participants, rows["西宁市"].enterprises_served) == (3, 160, 39)
    assert (rows["海西州"].events_held, rows["海西州"].participants, rows["海西州"].enterprises_served) == (1, 85, 22)
    assert rows["玉树州"].participants == 0

    path = tmp_path / "r.pdf"
    pdf.render_pdf(data, path)
    text = squash(pdf_text(path))
    assert "举办活动4场" in text and "参与245人次" in text and "服务企业61家" in text and "提供咨询20次" in text


def test_a_units_report_sums_only_its_own_figures(demo):
    _report(14, "西宁市市场监管局", events_held=2, participants=120, enterprises_served=30, consultations=5)
    _report(16, "海西州市场监管局", events_held=1, participants=85, enterprises_served=22, consultations=3)
    haixi = Assignment.objects.get(task__number=16).unit_id
    o = collect(demo, unit_ids={haixi}).overview
    assert (o.events_held, o.participants, o.enterprises_served, o.consultations) == (1, 85, 22, 3)


def test_pairings_and_their_activities_reach_the_summary(demo, tmp_path, need_poppler):
    from pairing.demo import load_demo_extras as load_pairing_demo
    from pairing.models import Pairing

    load_pairing_demo(demo)
    live = Pairing.objects.filter(campaign=demo).exclude(status=Pairing.Status.REJECTED)
    data = collect(demo)
    assert data.overview.pairings == live.count() >= 1
    row = next(r for r in data.pairing.rows if r.mentee == "黄南州图书馆")
    assert (row.mentor, row.activities) == ("青海大学", live.get(mentee__name="黄南州图书馆").activities.count())
    assert row.activities >= 1
    assert data.overview.mentoring_activities == sum(p.activities.count() for p in live)

    path = tmp_path / "r.pdf"
    pdf.render_pdf(data, path)
    text = squash(pdf_text(path))
    assert "黄南州图书馆" in text and f"开展帮扶活动{data.overview.mentoring_activities}次" in text


def test_a_rejected_pairing_is_left_out(demo):
    from pairing.models import Pairing

    bureau = Assignment.objects.filter(task__number=11).first().unit
    mentor = Assignment.objects.get(task__number=9).unit
    Pairing.objects.create(campaign=demo, mentor=mentor, mentee=bureau, status=Pairing.Status.REJECTED)
    assert collect(demo).overview.pairings == 0
