"""Named actions of the reports app; each is one transaction."""
from django.db import transaction
from django.utils import timezone

from .models import CasePhoto, TypicalCase, WrittenSummary


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
