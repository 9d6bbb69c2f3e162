"""Named actions on surveys: each one function, each one transaction."""
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from .models import Invitation, Response, Survey, SurveyVersion
from .sanitize import sanitize_schema
from .signals import invitation_sent, response_stored, response_submitted
from .validation import AnswersInvalid, Questionnaire, check_schema, validate_answers

__all__ = [
    "SurveyRefused", "AlreadySubmitted", "SurveyClosed", "AnswersInvalid", "questionnaire_for", "create_survey",
    "save_questionnaire", "copy_survey", "invite_units", "open_invitation", "prefill_answers", "save_draft",
    "submit_response", "reopen_response",
]


class SurveyRefused(Exception):
    """A survey action refused, with a Chinese message for the person who asked."""

    message = "操作未获允许"

    def __init__(self, message=None):
        super().__init__(message or self.message)
        self.message = message or self.message


class SurveyClosed(SurveyRefused):
    """The survey does not accept answers (draft, closed, or past its closing time)."""

    message = "问卷已截止，不再接收答卷"


class AlreadySubmitted(SurveyRefused):
    """This invitation's questionnaire has already been submitted."""

    message = "该问卷已提交，不能重复提交"


@lru_cache(maxsize=64)
def _questionnaire(version_pk, checksum):
    return Questionnaire(SurveyVersion.objects.values_list("schema", flat=True).get(pk=version_pk))


def _answering_version(survey, invitation):
    """(draft or None, version) a respondent answers, in one query: a draft stays on the
    version it was started on; otherwise the survey's newest. The draft comes back as a
    Response holding only its id and start (enough to carry the start over and delete it);
    the schema is not loaded (questionnaire_for caches the checked questionnaire by version
    id and checksum)."""
    versions = survey.versions.defer("schema")
    if invitation is not None:
        drafts = Response.objects.filter(invitation=invitation.pk, status=Response.Status.DRAFT,
                                         version=OuterRef("pk")).order_by("pk")
        versions = versions.annotate(
            draft_pk=Subquery(drafts.values("pk")[:1]), draft_started=Subquery(drafts.values("started_at")[:1]),
        ).order_by(F("draft_pk").asc(nulls_last=True), "-number")
    else:
        versions = versions.order_by("-number")
    version = versions.first()
    draft_pk = getattr(version, "draft_pk", None)
    if draft_pk is None:
        return None, version
    return Response(pk=draft_pk, started_at=version.draft_started), version


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


def prefill_answers(questionnaire, invitation):
    """{question: value} the invitation already knows: its unit's name for a question marked
    `"prefill": "unit"`, its prefecture for `"prefill": "prefecture"` (as one of the question's
    choices when it has choices). These are shown read-only and never taken from the browser."""
    unit = invitation.unit if invitation is not None else None
    if unit is None:
        return {}
    values = {}
    for q in questionnaire.questions:
        if q.prefill == "unit":
            values[q.name] = unit.name
        elif q.prefill == "prefecture":
            region = unit.region
            names = [n for n in (region.name, region.short_name) if n] if region is not None else []
            names.append(unit.short_name)
            if q.choices:
                match = next((n for n in names if n and any(n == v for v in q.choice_values)), None)
            else:
                match = next((n for n in names if n), None)
            if match:
                values[q.name] = match
    return values


def _check_open(survey):
    if not survey.is_accepting():
        from campaigns import lifecycle

        refusal = lifecycle.campaign_refusal(survey.campaign)
        raise SurveyClosed(f"{refusal}，不再接收答卷" if refusal else None)


@transaction.atomic
def save_draft(invitation, answers, page=None):
    """Save unfinished answers behind an invitation link, to resume later by the same link,
    on the page `page` (0-based) where the respondent stopped.

    Checked for unknown questions, types and choices (not for required answers)."""
    survey = invitation.survey
    _check_open(survey)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.submitted_at is not None:
        raise AlreadySubmitted()
    draft = invitation.responses.filter(status=Response.Status.DRAFT).select_related("version").first()
    version = draft.version if draft else survey.current_version
    questionnaire = questionnaire_for(version)
    cleaned = validate_answers(questionnaire, {**answers, **prefill_answers(questionnaire, invitation)},
                               complete=False)
    if draft is None:
        draft = Response.objects.create(
            survey=survey, version=version, invitation=invitation, unit_id=invitation.unit_id, answers=cleaned,
            current_page=page,
        )
    else:
        draft.answers = cleaned
        draft.current_page = page
        draft.save(update_fields=["answers", "current_page", "updated_at"])
    return draft


def submit_response(survey, answers, invitation=None):
    """Validate and store a completed questionnaire; returns the submitted Response.

    Raises AnswersInvalid (nothing stored), SurveyClosed, or AlreadySubmitted. However many
    submits of one invitation race, exactly one is stored: marking the invitation submitted
    is a conditional UPDATE (it locks the row, and only one writer finds it unmarked), and a
    partial unique constraint backs that up against other writers.

    The answers are judged first, outside the transaction (survey-core takes far longer than
    the writes, and nothing is locked meanwhile); then one short transaction marks the
    invitation, inserts the response and removes the draft it came from. With the caller's
    read of the invitation (its survey, campaign and unit in one query, as the view does) a
    submit is five statements. What follows from it is queued in the same transaction
    (response_stored: e.g. pairing's job row) and runs after commit, on the job queue.
    """
    _check_open(survey)
    if invitation is not None and invitation.submitted_at is not None:
        raise AlreadySubmitted()
    draft, version = _answering_version(survey, invitation)
    questionnaire = questionnaire_for(version)
    cleaned = validate_answers(questionnaire, {**answers, **prefill_answers(questionnaire, invitation)},
                               complete=True)
    now = timezone.now()
    try:
        with transaction.atomic():
            if invitation is not None:
                marked = (Invitation.objects.filter(pk=invitation.pk, submitted_at__isnull=True)
                          .update(submitted_at=now))
                if not marked:
                    raise AlreadySubmitted()
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
                Response.objects.filter(pk=draft.pk, status=Response.Status.DRAFT).delete()
            # Work that must follow the response is queued with it (pairing's needs job).
            response_stored.send(sender=Survey, response=response)
            # Listeners run once the response is safely stored; a failing listener is logged
            # and does not undo the respondent's submit.
            transaction.on_commit(
                lambda: response_submitted.send_robust(sender=Survey, response=response), robust=True
            )
    except IntegrityError:
        if invitation is not None:
            raise AlreadySubmitted() from None
        raise
    if invitation is not None:
        invitation.submitted_at = now
    return response


@transaction.atomic
def reopen_response(response, user, reason):
    """Send a unit's submitted response back for correction (the office's action; the caller
    checked that `user` coordinates the survey's campaign).

    The submission stays as history (status "reopened", with who, when and why); the unit's
    link opens again on a draft holding the same answers, and its next submit is the
    response that counts. Refused for open-link responses (no link to send back), for a
    response that is not the current submission, and while the survey does not accept answers.
    """
    reason = (reason or "").strip()
    if not reason:
        raise SurveyRefused("请填写退回原因，单位打开链接时会看到")
    if len(reason) > 500:
        raise SurveyRefused("退回原因过长（上限 500 字）")
    response = Response.objects.select_for_update(of=("self",)).select_related("survey", "invitation").get(pk=response.pk)
    if response.status != Response.Status.SUBMITTED:
        raise SurveyRefused("只有已提交的答卷可以退回修改")
    if response.invitation_id is None:
        raise SurveyRefused("公开链接收集的答卷没有对应的邀请链接，无法退回修改")
    if not response.survey.is_accepting():
        raise SurveyRefused("问卷当前不接收答卷，退回后单位无法重新提交；请先调整问卷状态或截止时间")
    now = timezone.now()
    response.status = Response.Status.REOPENED
    response.reopened_at, response.reopened_by, response.reopen_reason = now, user, reason
    response.save(update_fields=["status", "reopened_at", "reopened_by", "reopen_reason", "updated_at"])
    Invitation.objects.filter(pk=response.invitation_id).update(submitted_at=None)
    return Response.objects.create(
        survey=response.survey, version=response.version, invitation=response.invitation, unit_id=response.unit_id,
        answers=response.answers, status=Response.Status.DRAFT, started_at=now, current_page=0,
    )
