"""Named actions of the reports app; each is one transaction."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Bulletin, CasePhoto, TypicalCase, WrittenSummary


class ReportRefused(Exception):
    """A reports action was refused; the message is for the user, in Chinese, as is."""


@transaction.atomic
def submit_written_summary(campaign, unit, user, *, text, document=None, document_ext=""):
    """Record `unit`'s written summary for `campaign`; a resubmission keeps the earlier
    versions as history (no longer current) and carries the first submission time, which
    decides lateness. Without a new document the previous one is carried forward."""
    now = timezone.now()
    previous = (
        WrittenSummary.objects.select_for_update().filter(campaign=campaign, unit=unit, is_current=True).first()
    )
    summary = WrittenSummary(
        campaign=campaign, unit=unit, text=text, submitted_by=user, submitted_at=now,
        first_submitted_at=previous.first_submitted_at if previous else now,
    )
    if previous:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    if document is not None:
        summary._checked_ext = document_ext
        summary.document = document
        summary.document_name = document.name[:200]
    elif previous and previous.document:
        summary.document, summary.document_name = previous.document.name, previous.document_name
    summary.save()
    return summary


@transaction.atomic
def submit_typical_case(campaign, unit, user, *, related_tasks=(), photos=(), **fields):
    """Create `unit`'s typical case with its related tasks and photos (each photo a pair
    (uploaded file, checked extension)); all or nothing."""
    case = TypicalCase.objects.create(campaign=campaign, unit=unit, submitted_by=user, **fields)
    case.related_tasks.set(related_tasks)
    for upload, ext in photos:
        photo = CasePhoto(case=case, caption="")
        photo._checked_ext = ext
        photo.image = upload
        photo.save()
    return case


def set_case_recommended(case, recommended):
    """Mark or unmark a typical case as recommended (coordinators only; the view checks)."""
    case.recommended = bool(recommended)
    case.save(update_fields=["recommended"])
    return case


@transaction.atomic
def issue_bulletin(campaign, user, period_end):
    """Number and keep the next 工作简报 of `campaign`, covering the days after the previous
    issue (or from the campaign's start) up to `period_end`. The caller checked that `user`
    coordinates the campaign. Refused when `period_end` is not after the previous issue's."""
    from campaigns.models import Campaign

    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one issuer at a time
    last = Bulletin.objects.filter(campaign=campaign).order_by("-number").first()
    start = last.period_end + timedelta(days=1) if last else campaign.starts_on
    if period_end < start:
        if last:
            raise ReportRefused(f"第{last.number}期已截至{last.period_end:%Y年%m月%d日}，"
                                f"新一期的截止日期须在{start:%Y年%m月%d日}或以后。")
        raise ReportRefused(f"简报截止日期不能早于活动开始日期（{start:%Y年%m月%d日}）。")
    return Bulletin.objects.create(campaign=campaign, number=(last.number + 1) if last else 1,
                                   period_start=start, period_end=period_end, issued_by=user)
