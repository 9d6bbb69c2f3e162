"""Named actions on surveys: each one function, each one transaction."""
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Invitation, Response, Survey, SurveyVersion
from .sanitize import sanitize_schema
from .signals import invitation_sent, response_submitted
from .validation import AnswersInvalid, Questionnaire, check_schema, validate_answers

__all__ = [
    "AlreadySubmitted", "SurveyClosed", "AnswersInvalid", "questionnaire_for", "create_survey",
    "save_questionnaire", "copy_survey", "invite_units", "open_invitation", "save_draft", "submit_response",
]


class SurveyClosed(Exception):
    """The survey does not accept answers (draft, closed, or past its closing time)."""


class AlreadySubmitted(Exception):
    """This invitation's questionnaire has already been submitted."""


@lru_cache(maxsize=64)
def _questionnaire(version_pk, checksum):
    return Questionnaire(SurveyVersion.objects.values_list("schema", flat=True).get(pk=version_pk))


def _answering_version(survey, invitation):
    """(draft or None, version) a respondent answers: a draft stays on the version it was
    started on; otherwise the survey's newest. The schema is not loaded (questionnaire_for
    caches the checked questionnaire by version id and checksum)."""
    draft = None
    if invitation is not None:
        draft = (
            invitation.responses.filter(status=Response.Status.DRAFT)
            .select_related("version").defer("version__schema").first()
        )
    if draft is not None:
        return draft, draft.version
    return None, survey.versions.defer("schema").order_by("-number").first()


def questionnaire_for(version):
    """The checked questionnaire of a version (cached: versions never change)."""
    return _questionnaire(version.pk, version.checksum)


@transaction.atomic
def create_survey(campaign, title, schema, user=None, **fields):
    """Create a survey (draft unless `status` is given) with `schema` as its first version
    (markup beyond the allow-list removed, surveys.sanitize)."""
    schema = sanitize_schema(schema)
    check_schema(schema)
    survey = Survey.objects.create(campaign=campaign, title=title, **fields)
    SurveyVersion.objects.create(survey=survey, number=1, schema=schema, created_by=user)
    return survey


@transaction.atomic
def save_questionnaire(survey, schema, user=None):
    """Store a changed questionnaire; returns the version respondents will now fill.

    Unchanged: the current version. Changed while the current version has no answers
    (drafts included): that version is replaced. Changed after answers exist: a new
    version, and every existing response keeps the version it answered. The schema is
    stored sanitised (surveys.sanitize): content is data, never markup.
    """
    schema = sanitize_schema(schema)
    check_schema(schema)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    current = survey.current_version
    if current is not None and current.checksum == SurveyVersion.checksum_of(schema):
        return current
    number = 1
    if current is not None:
        if current.responses.exists():
            number = current.number + 1
        else:
            number = current.number
            current.delete()
    return SurveyVersion.objects.create(survey=survey, number=number, schema=schema, created_by=user)


@transaction.atomic
def copy_survey(survey, user=None):
    """A new draft survey with the same questionnaire and settings; no invitations or answers."""
    version = survey.current_version
    copy = Survey.objects.create(
        campaign=survey.campaign,
        task=survey.task,
        title=f"{survey.title}（副本）",
        description=survey.description,
        access=survey.access,
        allow_resume=survey.allow_resume,
        status=Survey.Status.DRAFT,
    )
    SurveyVersion.objects.create(survey=copy, number=1, schema=sanitize_schema(version.schema), created_by=user)
    return copy


@transaction.atomic
def invite_units(survey, units, sent=True):
    """Invite each unit once (existing invitations are kept); returns the new invitations."""
    existing = set(survey.invitations.values_list("unit_id", flat=True))
    now = timezone.now() if sent else None
    created = [
        Invitation.objects.create(survey=survey, unit=unit, sent_at=now) for unit in units if unit.pk not in existing
    ]
    if created and sent:
        transaction.on_commit(lambda: invitation_sent.send(Survey, survey=survey, invitations=created))
    return created


def open_invitation(invitation):
    """Note the first time the link is opened (one UPDATE; later opens change nothing)."""
    if invitation.opened_at is None:
        now = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
        invitation.opened_at = now
    return invitation


def _check_open(survey):
    if not survey.is_accepting():
        from campaigns import lifecycle

        raise SurveyClosed(lifecycle.campaign_refusal(survey.campaign) or "")


@transaction.atomic
def save_draft(invitation, answers):
    """Save unfinished answers behind an invitation link, to resume later by the same link.

    Checked for unknown questions, types and choices (not for required answers)."""
    survey = invitation.survey
    _check_open(survey)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.submitted_at is not None:
        raise AlreadySubmitted()
    draft = invitation.responses.filter(status=Response.Status.DRAFT).select_related("version").first()
    version = draft.version if draft else survey.current_version
    cleaned = validate_answers(questionnaire_for(version), answers, complete=False)
    if draft is None:
        draft = Response.objects.create(
            survey=survey, version=version, invitation=invitation, unit_id=invitation.unit_id, answers=cleaned
        )
    else:
        draft.answers = cleaned
        draft.save(update_fields=["answers", "updated_at"])
    return draft


def submit_response(survey, answers, invitation=None):
    """Validate and store a completed questionnaire; returns the submitted Response.

    Raises AnswersInvalid (nothing stored), SurveyClosed, or AlreadySubmitted. However many
    submits of one invitation race, exactly one is stored: the invitation row is locked, and
    a partial unique constraint backs that up where the lock cannot (SQLite, other writers).
    """
    _check_open(survey)
    try:
        with transaction.atomic():
            if invitation is not None:
                invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
                if invitation.submitted_at is not None:
                    raise AlreadySubmitted()
            draft, version = _answering_version(survey, invitation)
            cleaned = validate_answers(questionnaire_for(version), answers, complete=True)
            now = timezone.now()
            response = Response.objects.create(
                survey=survey,
                version=version,
                invitation=invitation,
                unit_id=invitation.unit_id if invitation else None,
                answers=cleaned,
                status=Response.Status.SUBMITTED,
                started_at=draft.started_at if draft else now,
                submitted_at=now,
            )
            if draft is not None:
                draft.delete()
            if invitation is not None:
                Invitation.objects.filter(pk=invitation.pk).update(submitted_at=now)
            # Listeners (e.g. pairing's needs) run once the response is safely stored; a
            # failing listener is logged and does not undo the respondent's submit.
            transaction.on_commit(
                lambda: response_submitted.send_robust(sender=Survey, response=response), robust=True
            )
            return response
    except IntegrityError:
        if invitation is not None:
            raise AlreadySubmitted() from None
        raise
