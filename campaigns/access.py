"""The one door for access: every view reaches campaign objects through these helpers.

Rules (DESIGN.md):
- an administrator (superuser) sees and changes everything;
- a campaign's coordinators (members with the coordinator role of its coordinating
  unit) see and change everything in it;
- a viewer of the coordinating unit reads everything in it;
- a member of a unit with an assignment in a campaign sees the plan and its own unit's
  assignments; reporters change them, viewers only read;
- a draft campaign (草稿) is out of sight for everyone but its coordinating unit;
- nothing is written on a draft or closed campaign (lifecycle.campaign_accepts_reports):
  helpers asked for `write` answer 403 with the reason;
- everything else answers 404 (out of sight) or 403 (seen but read-only).
"""
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from . import lifecycle
from .models import AdjustmentRequest, Assignment, Campaign, Evidence, Membership, Task, Unit

Role = Membership.Role


def _request_cache(user):
    """A dict kept on the request's user object: the access checks of one page share their
    answers instead of asking the database again (a new request loads a new user object)."""
    return user.__dict__.setdefault("_access_cache", {})


def _unit_ids(user, roles=None):
    """Ids of the user's units (optionally only where they hold one of `roles`), cached per request."""
    if not user.is_authenticated:
        return set()
    cache = user.__dict__.setdefault("_unit_roles_cache", None)
    if cache is None:
        cache = list(Membership.objects.filter(user=user).values_list("unit_id", "role"))
        user.__dict__["_unit_roles_cache"] = cache
    return {unit_id for unit_id, role in cache if roles is None or role in roles}


def member_unit_ids(user):
    """Units the user belongs to, in any role."""
    return _unit_ids(user)


def reporter_unit_ids(user):
    """Units for which the user may change assignments (reporters and coordinators)."""
    return _unit_ids(user, {Role.REPORTER, Role.COORDINATOR})


def visible_campaigns(user):
    """Campaigns the user may open at all."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    if user.is_superuser:
        return Campaign.objects.all()
    units = member_unit_ids(user)
    # A correlated EXISTS, not a join through every task and assignment with DISTINCT (a
    # national campaign has tens of thousands of assignments) nor a list of every campaign of
    # the units' assignments: per campaign it stops at the first assignment of the user's units.
    with_work = Exists(Assignment.objects.filter(unit_id__in=units, task__campaign_id=OuterRef("pk")))
    return Campaign.objects.filter(
        Q(coordinating_unit_id__in=units)
        | Q(with_work, status__in=lifecycle.UNIT_VISIBLE_CAMPAIGN_STATUSES)
    )


def check_writable(campaign):
    """403 with the reason unless the campaign accepts reports (in progress): every write of
    a unit's work, and the coordinator's decisions on it."""
    if not lifecycle.campaign_accepts_reports(campaign):
        raise PermissionDenied(lifecycle.campaign_refusal(campaign))


def check_setup(campaign):
    """403 with the reason if the campaign is closed: coordinators prepare surveys and
    pairing records on a draft or a running campaign, never on a closed one."""
    if not lifecycle.campaign_accepts_setup(campaign):
        raise PermissionDenied(lifecycle.campaign_refusal(campaign))


def coordinated_campaigns(user):
    """Campaigns the user coordinates (may change everything in)."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    if user.is_superuser:
        return Campaign.objects.all()
    return Campaign.objects.filter(coordinating_unit_id__in=_unit_ids(user, {Role.COORDINATOR}))


def startable_units(user):
    """Units the user may start (import) a new campaign for: those they coordinate; any unit for administrators."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=_unit_ids(user, {Role.COORDINATOR}))


def can_coordinate(user, campaign):
    if not user.is_authenticated:
        return False
    return user.is_superuser or campaign.coordinating_unit_id in _unit_ids(user, {Role.COORDINATOR})


def can_oversee(user, campaign):
    """Read everything in the campaign: coordinators and viewers of the coordinating unit."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or campaign.coordinating_unit_id in member_unit_ids(user)


def visible_assignments(user, campaign=None):
    """Assignments the user may read: all of an overseen campaign, else their units' own."""
    qs = Assignment.objects.all()
    if campaign is not None:
        qs = qs.filter(task__campaign=campaign)
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    units = member_unit_ids(user)
    return qs.filter(
        Q(task__campaign__coordinating_unit_id__in=units)
        | Q(unit_id__in=units, task__campaign__status__in=lifecycle.UNIT_VISIBLE_CAMPAIGN_STATUSES)
    )


def can_change_assignment(user, assignment):
    """Coordinators of its campaign, and reporters of its unit."""
    if not user.is_authenticated:
        return False
    if can_coordinate(user, assignment.task.campaign):
        return True
    return assignment.unit_id in reporter_unit_ids(user)


def get_campaign_for_user(user, code, coordinate=False, write=False, setup=False):
    """The campaign with `code` if the user may see it (404 otherwise); 403 if `coordinate`
    is asked and the user only reads it, if `write` is asked and the campaign is a draft
    or closed (check_writable), or if `setup` is asked and it is closed (check_setup)."""
    cache = _request_cache(user) if user.is_authenticated else {}
    campaign = cache.get(("campaign", code))
    if campaign is None:
        try:
            campaign = visible_campaigns(user).select_related("coordinating_unit").get(code=code)
        except Campaign.DoesNotExist:
            raise Http404("没有找到该活动方案") from None
        cache[("campaign", code)] = campaign
    if coordinate and not can_coordinate(user, campaign):
        raise PermissionDenied("只有本活动的协调人可以进行此操作")
    if write:
        check_writable(campaign)
    if setup:
        check_setup(campaign)
    return campaign


def get_task_for_user(user, code, number):
    campaign = get_campaign_for_user(user, code)
    try:
        return Task.objects.select_related("campaign", "section").get(campaign=campaign, number=number)
    except Task.DoesNotExist:
        raise Http404("没有找到该任务") from None


def get_assignment_for_user(user, pk, write=False):
    """The assignment if the user may read it (404 otherwise); with `write`, 403 unless the
    user may change it and its campaign accepts writes."""
    try:
        assignment = (
            visible_assignments(user)
            .select_related("task__campaign__coordinating_unit", "task__section", "unit", "via_group")
            .get(pk=pk)
        )
    except Assignment.DoesNotExist:
        raise Http404("没有找到该任务分工") from None
    if write and not can_change_assignment(user, assignment):
        raise PermissionDenied("您只能查看，不能修改该任务分工")
    if write:
        check_writable(assignment.task.campaign)
    return assignment


def get_evidence_for_user(user, pk):
    """An evidence file, if the user may read its assignment (404 otherwise)."""
    try:
        return Evidence.objects.select_related("report__assignment").get(
            pk=pk, report__assignment__in=visible_assignments(user)
        )
    except Evidence.DoesNotExist:
        raise Http404("没有找到该文件") from None


def get_adjustment_for_user(user, pk, decide=False):
    """An adjustment request, if the user may read its assignment (404 otherwise); with
    `decide`, 403 unless the user coordinates its campaign."""
    try:
        request = AdjustmentRequest.objects.select_related(
            "task__campaign", "assignment__unit", "requested_by"
        ).get(pk=pk, assignment__in=visible_assignments(user))
    except AdjustmentRequest.DoesNotExist:
        raise Http404("没有找到该调整报备") from None
    if decide and not can_coordinate(user, request.task.campaign):
        raise PermissionDenied("只有本活动的协调人可以审核调整报备")
    if decide:
        check_writable(request.task.campaign)
    return request

# ---------------------------------------------------------------- reports (summaries, cases)


def _responsible_among(campaign, unit_ids=None):
    """The units with a live assignment in the campaign. For a few units (a user's): one
    EXISTS probe each, stopping at the unit's first assignment in the campaign, so an access
    check never walks the campaign's assignments. For the whole list (what a report page
    lists): the distinct units of the campaign's assignments, unsorted (the model's ordering
    would make DISTINCT keep every row)."""
    if unit_ids is None:
        return frozenset(
            Assignment.objects.filter(task__campaign_id=campaign.pk)
            .exclude(status=Assignment.Status.CANCELLED)
            .order_by()
            .values_list("unit_id", flat=True)
            .distinct()
        )
    live = Assignment.objects.filter(unit_id=OuterRef("pk"), task__campaign_id=campaign.pk).exclude(
        status=Assignment.Status.CANCELLED
    )
    return frozenset(Unit.objects.filter(pk__in=unit_ids).order_by().filter(Exists(live)).values_list("pk", flat=True))


def _responsible_cache(campaign):
    return campaign.__dict__.setdefault("_responsible_unit_ids", {})


def responsible_unit_ids(campaign):
    """Units responsible in the campaign: those with a live (not cancelled) assignment in it.
    Asked once per campaign object (one request's), however many checks a page makes."""
    cache = _responsible_cache(campaign)
    if None not in cache:
        cache[None] = _responsible_among(campaign)
    return set(cache[None])


def is_responsible(campaign, unit_ids):
    """Those of `unit_ids` responsible in the campaign, asking only about them (a user's few
    units), cached on the campaign object like responsible_unit_ids."""
    cache = _responsible_cache(campaign)
    if None in cache:
        return cache[None] & set(unit_ids)
    key = frozenset(unit_ids)
    if key not in cache:
        cache[key] = _responsible_among(campaign, key) if key else frozenset()
    return set(cache[key])


def reporting_unit_ids(user, campaign, write=False):
    """The user's own units that are responsible in the campaign (with `write`, only those
    where the user is a reporter or coordinator, and none while the campaign does not accept
    reports): the units it submits summaries and cases for."""
    if not user.is_authenticated or (write and not lifecycle.campaign_accepts_reports(campaign)):
        return set()
    if user.is_superuser and write:
        return responsible_unit_ids(campaign)
    mine = reporter_unit_ids(user) if write else member_unit_ids(user)
    return is_responsible(campaign, mine)


def get_reporting_unit_for_user(user, campaign, unit_id, write=False):
    """A unit responsible in `campaign` that the user belongs to (404 otherwise; superusers
    reach every responsible unit, and those who oversee the campaign read every one); with
    `write`, 403 unless the user reports for it."""
    from .models import Unit

    reachable = user.is_superuser or unit_id in member_unit_ids(user) or (not write and can_oversee(user, campaign))
    if not reachable or not is_responsible(campaign, {unit_id}):
        raise Http404("没有找到该单位")
    if write and not (user.is_superuser or unit_id in reporter_unit_ids(user)):
        raise PermissionDenied("您只能查看，不能为该单位报送")
    if write:
        check_writable(campaign)
    return Unit.objects.get(pk=unit_id)


# ---------------------------------------------------------------- the campaign's reach


def campaign_province_id(campaign):
    """The province a campaign belongs to: its coordinating unit's region, or that region's
    parent when it is a prefecture (None when the coordinating unit has no region)."""
    region = campaign.coordinating_unit.region
    if region is None:
        return None
    return region.parent_id if region.kind == region.Kind.PREFECTURE else region.pk


def in_campaign_province(campaign, prefix=""):
    """A filter for units (through `prefix`, e.g. "unit__") located in the campaign's province."""
    province = campaign_province_id(campaign)
    if province is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}region_id": province}) | Q(**{f"{prefix}region__parent_id": province})


def campaign_units(campaign):
    """The units a campaign reaches: those with work in it and those in its province. Pickers
    (mentors, mentees), invitations and pairing records never go beyond them."""
    # A subquery, not a join made distinct: a national campaign has tens of thousands of assignments.
    return Unit.objects.filter(in_campaign_province(campaign) | Q(pk__in=units_with_work_in([campaign])))


def units_with_work_in(campaigns):
    """The keys of the units with work (an assignment) in any of `campaigns`, as a subquery."""
    return Assignment.objects.filter(task__campaign__in=campaigns).values("unit_id")


def can_fix_directory(user, campaign=None):
    """Add units or aliases from an import preview: administrators, the campaign's coordinators,
    or (a new campaign) anyone who coordinates a unit."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if campaign is not None:
        return can_coordinate(user, campaign)
    return bool(_unit_ids(user, {Role.COORDINATOR}))


# ---------------------------------------------------------------- unit accounts (no admin)


def manageable_units(user):
    """Units whose reporter and viewer accounts the user may add and deactivate: the
    coordinating units and responsible units of the campaigns it coordinates (every unit
    for administrators)."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    campaigns = coordinated_campaigns(user)
    return Unit.objects.filter(Q(pk__in=campaigns.values("coordinating_unit_id")) | Q(pk__in=units_with_work_in(campaigns)))


def can_manage_account(user, account):
    """A coordinator manages an account only if every unit it belongs to is one it manages,
    and the account is neither an administrator nor a coordinator (those stay with the admin)."""
    if not user.is_authenticated or account.pk == user.pk:
        return False
    if account.is_superuser or account.is_staff:
        return user.is_superuser
    memberships = list(account.memberships.values_list("unit_id", "role"))
    if not memberships or any(role == Role.COORDINATOR for _, role in memberships):
        return user.is_superuser
    allowed = set(manageable_units(user).filter(pk__in=[u for u, _ in memberships]).values_list("pk", flat=True))
    return all(unit_id in allowed for unit_id, _ in memberships)


def get_account_for_user(user, pk):
    """An account the user may manage (404 otherwise: others' accounts stay out of sight)."""
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.filter(pk=pk).first()
    if account is None or not can_manage_account(user, account):
        raise Http404("没有找到该账号")
    return account
