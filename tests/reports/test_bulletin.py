"""工作简报: numbered, kept, covering the days since the previous issue."""
import subprocess
from datetime import date, datetime, timedelta

import docx
import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.demo import _assignments, _submit, _verify, at_moment
from campaigns.models import Membership, ProgressReport
from reports import services
from reports.bulletin import collect_bulletin, render_bulletin_docx, render_bulletin_pdf
from reports.models import Bulletin
from tests.factories import make_plan, make_unit, make_user

from .conftest import pdf_text, squash


def test_issues_are_numbered_in_turn_and_each_starts_the_day_after_the_last(db):
    campaign = make_plan(1)
    first = services.issue_bulletin(campaign, None, date(2024, 5, 10))
    second = services.issue_bulletin(campaign, None, date(2024, 5, 17))
    assert (first.number, first.period_start, first.period_end) == (1, campaign.starts_on, date(2024, 5, 10))
    assert (second.number, second.period_start, second.period_end) == (2, date(2024, 5, 11), date(2024, 5, 17))


def test_an_issue_ending_before_the_previous_one_is_refused_and_nothing_is_kept(db):
    campaign = make_plan(1)
    services.issue_bulletin(campaign, None, date(2024, 5, 10))
    with pytest.raises(services.ReportRefused, match="新一期的截止日期须在2024年05月11日或以后"):
        services.issue_bulletin(campaign, None, date(2024, 5, 10))
    assert Bulletin.objects.filter(campaign=campaign).count() == 1


def test_a_bulletin_covers_reports_up_to_its_last_day_and_not_after(db):
    unit = make_unit()
    campaign = make_plan(1, units=[unit])
    assignment = campaign.tasks.get().assignments.get()
    author = make_user(unit)
    inside = ProgressReport.objects.create(assignment=assignment, author=author, text="本期最后一天的活动",
                                           status="in_progress", events_held=1, participants=40)
    after = ProgressReport.objects.create(assignment=assignment, author=author, text="下一期的活动", status="in_progress")
    last_minute = timezone.make_aware(datetime(2024, 5, 10, 23, 59))
    ProgressReport.objects.filter(pk=inside.pk).update(created_at=last_minute)
    ProgressReport.objects.filter(pk=after.pk).update(created_at=last_minute + timedelta(minutes=1))
    data = collect_bulletin(services.issue_bulletin(campaign, None, date(2024, 5, 10)))
    assert [e.text for e in data.entries] == ["本期最后一天的活动"]
    assert data.highlights[0].figures == "开展活动（场）1，参与人数（人次）40"
    assert data.late == []  # due 2024-06-30: not late on 10 May
    later = collect_bulletin(services.issue_bulletin(campaign, None, date(2024, 7, 1)))
    assert [e.text for e in later.entries] == ["下一期的活动"]
    assert [x.number for x in later.late] == [1]  # still open the day after its deadline


def test_the_demo_bulletin_prints_highlights_with_a_photo_and_who_is_late(demo, tmp_path, need_poppler):
    haixi = next(a for a in _assignments(demo, 16) if a.unit.name == "海西州市场监管局")
    _submit(haixi, at_moment(date(2024, 6, 20)), date(2024, 6, 18),
            "与德令哈工业园管委会联合举办知识产权培训班暨新材料产业专利导航发布会。",
            {"events_held": 1, "participants": 120})
    _verify(haixi, at_moment(date(2024, 6, 21)))
    bulletin = services.issue_bulletin(demo, None, timezone.localdate())
    data = collect_bulletin(bulletin)
    path = tmp_path / "b.pdf"
    path.write_bytes(render_bulletin_pdf(data))
    text = squash(pdf_text(path))
    assert "工作简报" in text and "第1期" in text
    assert "与德令哈工业园管委会联合举办知识产权培训班暨新材料产业专利导航发布会" in text
    assert "三、逾期未完成事项" in text and len(data.late) > 0 and squash(data.late[0].title) in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert 1 <= len(images) == sum(1 for h in data.highlights if h.photo)
    (tmp_path / "b.docx").write_bytes(render_bulletin_docx(data))
    paragraphs = [p.text for p in docx.Document(tmp_path / "b.docx").paragraphs]
    assert "第1期" in paragraphs and "一、本期工作概况" in paragraphs


def test_only_coordinators_issue_and_only_the_office_reads_bulletins(demo, login):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    coordinator, bureau = User.objects.get(username="province"), User.objects.get(username="xining")
    response = login(bureau).post(reverse("reports:bulletin_issue", args=[demo.code]), {"period_end": "2024-05-10"})
    assert response.status_code == 403 and not Bulletin.objects.exists()
    response = login(coordinator).post(reverse("reports:bulletin_issue", args=[demo.code]),
                                       {"period_end": "2024-05-10"})
    assert response.status_code == 302 and Bulletin.objects.get().number == 1
    page = login(coordinator).get(reverse("reports:campaign", args=[demo.code])).content.decode()
    assert "第1期" in page
    download = login(coordinator).get(reverse("reports:bulletin_pdf", args=[demo.code, 1]))
    assert download.status_code == 200 and "%E7%AC%AC1%E6%9C%9F.pdf" in download["Content-Disposition"]  # 第1期.pdf
    assert login(bureau).get(reverse("reports:bulletin_pdf", args=[demo.code, 1])).status_code == 404
    assert Membership.objects.filter(user=bureau).exists()
