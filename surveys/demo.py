"""Demo data for surveys: the baseline questionnaire of task 2, with invitations for the eight bureaus.

`seed_demo` finds `load_demo_extras` here by itself (campaigns does not import surveys).
Idempotent: a second run changes nothing.
"""
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from campaigns.models import Unit

from . import services
from .models import Survey

BASELINE_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "baseline_survey.json"


@transaction.atomic
def load_baseline_survey(campaign, path=BASELINE_FIXTURE):
    """The baseline questionnaire (基础摸底调研问卷) for task 2 of `campaign`, open, bureaus invited."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    meta = data["survey"]
    task = campaign.tasks.filter(number=meta["task"]).first()
    survey = Survey.objects.filter(campaign=campaign, title=meta["title"]).first()
    if survey is None:
        survey = services.create_survey(
            campaign, meta["title"], data["schema"],
            task=task, description=meta["description"], status=meta["status"],
            opens_at=parse_datetime(meta["opens_at"]),
        )
    else:
        # Only a changed fixture writes anything (and then keeps answered versions).
        services.save_questionnaire(survey, data["schema"])
    bureaus = Unit.objects.filter(kind=Unit.Kind.PREFECTURE_BUREAU).order_by("ordinal")
    services.invite_units(survey, bureaus)
    return survey


def load_demo_extras(campaign):
    """Hook called by `seed_demo` for every installed app that has one."""
    load_baseline_survey(campaign)
