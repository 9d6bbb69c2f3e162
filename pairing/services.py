"""Named actions on pairings. Each multi-row change is one transaction; views and commands call them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.access import campaign_units, reporter_unit_ids
from campaigns.evidence import generated_name
from campaigns.models import Region, Task, Unit

from . import matching, signals
from .models import Industry, InstitutionProfile, MentoringActivity, Need, Pairing, Service
from .vocabulary import INDUSTRIES, SERVICES

# Pairings that take a mentee off the market; ACTIVE ones also take a slot of the mentor's capacity.
SERVING = (Pairing.Status.ACTIVE, Pairing.Status.COMPLETED)


def ensure_vocabularies():
    """Seed the default vocabularies where a table is empty (a migration seeds them too, but
    a flushed test database or a hand-emptied table would otherwise leave the demo without)."""
    for model, names in ((Service, SERVICES), (Industry, INDUSTRIES)):
        if not model.objects.exists():
            model.objects.bulk_create([model(name=n, ordinal=i) for i, n in enumerate(names, start=1)])


# ---------------------------------------------------------------- needs from the baseline survey


def _walk_questions(node):
    """Every question dict in a SurveyJS schema (pages, panels, dynamic panels), depth first."""
    if isinstance(node, dict):
        if "name" in node and "type" in node:
            yield node
        for key in ("pages", "elements", "templateElements", "questions"):
            for child in node.get(key) or ():
                yield from _walk_questions(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk_questions(child)


def _choice_text(text):
    if isinstance(text, dict):  # localised: {"default": ..., "zh-cn": ...}
        return text.get("zh-cn") or text.get("default") or next(iter(text.values()), "")
    return text


def needs_from_answers(schema, answers, vocabulary=None):
    """The (services, industries) a unit needs according to its baseline survey answers.

    Reads the questions that declare `"pairingNeeds": "services"` or `"industries"`
    (checkbox, radiogroup, dropdown or tagbox, choices as strings or {"value", "text"});
    their answered choice values are vocabulary names. A value that is not one of the
    question's choices is ignored; a value that is not a vocabulary name is read by its
    choice text instead, and dropped if that is not one either. `vocabulary` maps
    "services"/"industries" to the known names (default: the seeded vocabularies).
    Pure: no database.
    """
    vocabulary = vocabulary or {"services": set(SERVICES), "industries": set(INDUSTRIES)}
    found = {"services": set(), "industries": set()}
    answers = answers or {}
    for question in _walk_questions(schema or {}):
        target = question.get("pairingNeeds")
        if target not in found or question["name"] not in answers:
            continue
        value = answers[question["name"]]
        values = value if isinstance(value, list) else [value]
        choices = {}
        for choice in question.get("choices") or ():
            if isinstance(choice, dict):
                choices[str(choice.get("value"))] = str(_choice_text(choice.get("text")) or choice.get("value"))
            else:
                choices[str(choice)] = str(choice)
        for v in values:
            if not isinstance(v, (str, int)) or str(v) not in choices:
                continue
            for name in (str(v), choices[str(v)]):
                if name in vocabulary[target]:
                    found[target].add(name)
                    break
    return found["services"], found["industries"]


@transaction.atomic
def apply_survey_needs(unit, campaign, schema, answers):
    """Set the unit's needs in the campaign from its survey answers (see needs_from_answers).

    Only the vocabularies the questionnaire asks about are replaced; names that are not
    in the (current, editable) vocabulary are left out. Returns the Need.
    """
    vocabulary = {
        "services": set(Service.objects.values_list("name", flat=True)),
        "industries": set(Industry.objects.values_list("name", flat=True)),
    }
    services, industries = needs_from_answers(schema, answers, vocabulary)
    asked = {q.get("pairingNeeds") for q in _walk_questions(schema or {})}
    need, _ = Need.objects.get_or_create(campaign=campaign, unit=unit)
    if "services" in asked:
        need.services.set(Service.objects.filter(name__in=services))
    if "industries" in asked:
        need.industries.set(Industry.objects.filter(name__in=industries))
    if need.source != Need.Source.SURVEY:
        need.source = Need.Source.SURVEY
    need.save()
    return need


@transaction.atomic
def set_need(campaign, unit, services, industries, notes=None):
    """Create or replace a unit's needs in the campaign (the coordinator's edit)."""
    need, _ = Need.objects.get_or_create(campaign=campaign, unit=unit)
    need.services.set(services)
    need.industries.set(industries)
    need.source = Need.Source.COORDINATOR
    if notes is not None:
        need.notes = notes
    need.save()
    return need


# ---------------------------------------------------------------- suggestions


def _neighbours():
    through = Region.neighbours.through.objects.values_list("from_region_id", "to_region_id")
    result = {}
    for a, b in through:
        result.setdefault(a, set()).add(b)
        result.setdefault(b, set()).add(a)
    return result


def vocabulary_order():
    """Each vocabulary name's place in its vocabulary (for listing reasons in that order)."""
    order = dict(Service.objects.values_list("name", "ordinal"))
    order.update(Industry.objects.values_list("name", "ordinal"))
    return order


def _party(unit, services, industries, capacity=0):
    region = unit.region
    return matching.Party(
        key=unit.pk,
        name=unit.name,
        services=frozenset(services),
        industries=frozenset(industries),
        region=region.pk if region else None,
        region_name=region.name if region else "",
        capacity=capacity,
    )


def mentor_parties(used=None, campaign=None):
    """Every active institution profile (of the campaign's units, when given) as a solver
    Party, capacity less `used[unit_id]` slots."""
    used = used or {}
    profiles = InstitutionProfile.objects.filter(active=True)
    if campaign is not None:
        profiles = profiles.filter(unit__in=campaign_units(campaign))
    profiles = (
        profiles
        .select_related("unit__region")
        .prefetch_related("services", "industries")
    )
    return [
        _party(
            p.unit,
            [s.name for s in p.services.all()],
            [i.name for i in p.industries.all()],
            max(p.capacity - used.get(p.unit_id, 0), 0),
        )
        for p in profiles
    ]


def build_plan(campaign):
    """The suggested plan for the campaign's needs, without writing anything.

    Mentees already served (an active or completed pairing, or a pairing the coordinator
    set by hand and has not yet accepted) are left out; their mentors' active or hand-set
    pairings use up capacity. Pairs the coordinator rejected are never suggested.
    Returns (plan, fixed pairings).
    """
    pairings = list(Pairing.objects.filter(campaign=campaign).select_related("mentor", "mentee"))
    fixed = [p for p in pairings if p.status in SERVING or (p.status == Pairing.Status.PROPOSED and not p.suggested)]
    served = {p.mentee_id for p in fixed}
    used = {}
    for p in fixed:
        if p.status != Pairing.Status.COMPLETED:
            used[p.mentor_id] = used.get(p.mentor_id, 0) + 1
    forbidden = {(p.mentor_id, p.mentee_id) for p in pairings if p.status == Pairing.Status.REJECTED}
    needs = (
        Need.objects.filter(campaign=campaign)
        .exclude(unit_id__in=served)
        .select_related("unit__region")
        .prefetch_related("services", "industries")
    )
    mentees = [_party(n.unit, [s.name for s in n.services.all()], [i.name for i in n.industries.all()]) for n in needs]
    forbidden |= {(e.key, e.key) for e in mentees}  # a unit never mentors itself
    plan = matching.suggest(
        mentor_parties(used, campaign), mentees, _neighbours(), forbidden=forbidden, order=vocabulary_order()
    )
    return plan, fixed


def default_task(campaign):
    """The plan's pairing task: the one the coordinator linked to the pairing programme
    (Task.purpose, task 11 in the Qinghai plan), or None."""
    return campaign.tasks.filter(purpose=Task.Purpose.PAIRING).order_by("number").first()


@transaction.atomic
def save_suggestions(campaign, user=None):
    """Replace the campaign's untouched suggestions with a freshly solved plan.

    Proposed pairings the solver made earlier are deleted; accepted, hand-set and rejected
    ones stay. Returns the plan that was saved.
    """
    Pairing.objects.filter(campaign=campaign, status=Pairing.Status.PROPOSED, suggested=True).delete()
    plan, _ = build_plan(campaign)
    task = default_task(campaign)
    services = {s.name: s for s in Service.objects.all()}
    industries = {i.name: i for i in Industry.objects.all()}
    for pair in plan.pairs:
        pairing = Pairing.objects.create(
            campaign=campaign,
            task=task,
            mentor_id=pair.mentor.key,
            mentee_id=pair.mentee.key,
            status=Pairing.Status.PROPOSED,
            suggested=True,
            score=pair.score,
            reasons=pair.reasons,
            created_by=user,
        )
        pairing.focus_services.set([services[n] for n in sorted(pair.mentor.services & pair.mentee.services)])
        pairing.focus_industries.set([industries[n] for n in sorted(pair.mentor.industries & pair.mentee.industries)])
    return plan


def _require(pairing, *statuses):
    if pairing.status not in statuses:
        raise ValidationError(f"该结对当前状态为“{pairing.get_status_display()}”，不能进行此操作。")


@transaction.atomic
def accept_pairing(pairing, starts_on=None):
    """The coordinator accepts a proposed pairing: it becomes active from `starts_on` (today by default)."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    _require(pairing, Pairing.Status.PROPOSED)
    pairing.status = Pairing.Status.ACTIVE
    pairing.starts_on = pairing.starts_on or starts_on or timezone.localdate()
    pairing.task = pairing.task or default_task(pairing.campaign)
    pairing.save()
    return pairing


@transaction.atomic
def reject_pairing(pairing):
    """The coordinator turns a proposed pairing down; the pair is not suggested again."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    _require(pairing, Pairing.Status.PROPOSED)
    pairing.status = Pairing.Status.REJECTED
    pairing.suggested = False
    pairing.save()
    return pairing


def mentor_load(campaign, mentor, exclude=None):
    """How many of the mentor's slots the campaign's pairings use (active and proposed)."""
    qs = Pairing.objects.filter(
        campaign=campaign, mentor=mentor, status__in=[Pairing.Status.ACTIVE, Pairing.Status.PROPOSED]
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.count()


def _vet_pair(campaign, mentor, mentee, exclude=None):
    """Check a hand-set pair (profile, not itself, not twice, capacity) and score it.

    Returns (score, reasons, shared service names, shared industry names); raises a
    ValidationError in Chinese when the pair cannot be made.
    """
    profile = InstitutionProfile.objects.filter(unit=mentor, active=True).first()
    if profile is None:
        raise ValidationError("该单位没有帮扶机构档案，不能担任帮扶机构。")
    reach = campaign_units(campaign)
    if not reach.filter(pk=mentor.pk).exists() or not reach.filter(pk=mentee.pk).exists():
        raise ValidationError("帮扶机构和受帮扶单位都须是本活动的单位或本省的单位。")
    if mentor.pk == mentee.pk:
        raise ValidationError("帮扶机构不能是受帮扶单位本身。")
    others = Pairing.objects.filter(campaign=campaign, mentor=mentor, mentee=mentee)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError("这两个单位在本活动中已有结对记录。")
    if mentor_load(campaign, mentor, exclude=exclude) >= profile.capacity:
        raise ValidationError(f"{mentor.name}的帮扶名额（{profile.capacity} 家）已满。")
    need = Need.objects.filter(campaign=campaign, unit=mentee).prefetch_related("services", "industries").first()
    mentee_party = _party(
        mentee,
        {s.name for s in need.services.all()} if need else set(),
        {i.name for i in need.industries.all()} if need else set(),
    )
    mentor_party = _party(
        mentor, profile.services.values_list("name", flat=True), profile.industries.values_list("name", flat=True)
    )
    score, reasons = matching.score_pair(mentor_party, mentee_party, _neighbours(), vocabulary_order())
    return (
        score,
        reasons or ["协调人指定"],
        mentor_party.services & mentee_party.services,
        mentor_party.industries & mentee_party.industries,
    )


def _set_focus(pairing, services, industries):
    pairing.focus_services.set(Service.objects.filter(name__in=services))
    pairing.focus_industries.set(Industry.objects.filter(name__in=industries))


@transaction.atomic
def change_mentor(pairing, mentor):
    """The coordinator gives a proposed pairing another mentor (within that mentor's capacity).

    The pairing becomes hand-set (kept when suggestions are regenerated); its score,
    reasons and focus areas are recomputed for the new pair.
    """
    pairing = Pairing.objects.select_for_update(of=("self",)).select_related("mentee__region", "campaign").get(pk=pairing.pk)
    _require(pairing, Pairing.Status.PROPOSED)
    score, reasons, services, industries = _vet_pair(pairing.campaign, mentor, pairing.mentee, exclude=pairing)
    pairing.mentor, pairing.score, pairing.reasons, pairing.suggested = mentor, score, reasons, False
    pairing.save()
    _set_focus(pairing, services, industries)
    return pairing


@transaction.atomic
def create_pairing(campaign, mentor, mentee, user=None):
    """The coordinator pairs two units by hand (e.g. a unit the suggestion could not serve).

    The new pairing is proposed and hand-set: kept when suggestions are regenerated.
    """
    score, reasons, services, industries = _vet_pair(campaign, mentor, mentee)
    pairing = Pairing.objects.create(
        campaign=campaign,
        task=default_task(campaign),
        mentor=mentor,
        mentee=mentee,
        status=Pairing.Status.PROPOSED,
        score=score,
        reasons=reasons,
        created_by=user,
    )
    _set_focus(pairing, services, industries)
    return pairing


@transaction.atomic
def accept_all_proposed(campaign, starts_on=None):
    """The coordinator accepts every proposed pairing of the campaign at once. Returns how many."""
    proposed = list(Pairing.objects.filter(campaign=campaign, status=Pairing.Status.PROPOSED))
    for pairing in proposed:
        accept_pairing(pairing, starts_on)
    return len(proposed)


@transaction.atomic
def update_pairing(pairing, **fields):
    """The coordinator edits a pairing's details (focus areas, goals, dates, status, task)."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    focus_services = fields.pop("focus_services", None)
    focus_industries = fields.pop("focus_industries", None)
    for name, value in fields.items():
        setattr(pairing, name, value)
    if pairing.status in (Pairing.Status.COMPLETED, Pairing.Status.ENDED_EARLY) and pairing.ends_on is None:
        pairing.ends_on = timezone.localdate()
    pairing.save()
    if focus_services is not None:
        pairing.focus_services.set(focus_services)
    if focus_industries is not None:
        pairing.focus_industries.set(focus_industries)
    return pairing


def attach_agreement(pairing, file):
    """Store the signed agreement (already checked by content and size in forms.AgreementForm)."""
    if pairing.agreement:
        pairing.agreement.delete(save=False)
    pairing.agreement.save(generated_name(file), file, save=False)
    pairing.save(update_fields=["agreement", "updated_at"])
    return pairing


# ---------------------------------------------------------------- activities


def acting_unit(user, pairing):
    """The unit a user logs for: the mentee or mentor they report for, else (a coordinator) the mentor."""
    units = reporter_unit_ids(user)
    if pairing.mentee_id in units:
        return pairing.mentee
    return pairing.mentor


@transaction.atomic
def log_activity(pairing, user, *, date, kind, participants, summary, evidence=None):
    """Either side records a mentoring activity. One the mentee logs counts as confirmed by it."""
    unit = acting_unit(user, pairing)
    activity = MentoringActivity(
        pairing=pairing,
        date=date,
        kind=kind,
        participants=participants,
        summary=summary,
        logged_by_unit=unit,
        logged_by=user,
    )
    if unit.pk == pairing.mentee_id:
        activity.confirmed_at, activity.confirmed_by = timezone.now(), user
    if evidence:
        activity.evidence.save(generated_name(evidence), evidence, save=False)
    activity.save()
    if activity.confirmed_at is None:
        transaction.on_commit(lambda: signals.activity_awaiting_confirmation.send(MentoringActivity, activity=activity))
    return activity


@transaction.atomic
def update_activity(activity, *, date, kind, participants, summary, evidence=None):
    """The logging unit (or a coordinator) corrects an activity."""
    activity.date, activity.kind, activity.participants, activity.summary = date, kind, participants, summary
    if evidence:
        if activity.evidence:
            activity.evidence.delete(save=False)
        activity.evidence.save(generated_name(evidence), evidence, save=False)
    activity.save()
    return activity


@transaction.atomic
def confirm_activity(activity, user):
    """The mentee confirms an activity the mentor logged."""
    activity = MentoringActivity.objects.select_for_update().get(pk=activity.pk)
    if activity.confirmed_at is not None:
        raise ValidationError("该活动已经确认过了。")
    activity.confirmed_at, activity.confirmed_by = timezone.now(), user
    activity.save(update_fields=["confirmed_at", "confirmed_by"])
    return activity


def mentor_units():
    return Unit.objects.filter(pairing_profile__active=True).select_related("region")
