"""What a submitted survey response means to other installed apps.

Connected in SurveysConfig.ready() only when the app concerned is installed, so the
surveys app works alone; the other app keeps the rules (here: pairing's vocabulary).
"""
from django.apps import apps

from .validation import walk_questions


def apply_pairing_needs(sender, response, **kwargs):
    """A bureau's answers to the questions marked "pairingNeeds" become its needs for pairing."""
    schema = response.version.schema
    if response.unit_id is None or not any(q.pairing_needs for q in walk_questions(schema)):
        return
    from pairing.services import apply_survey_needs

    apply_survey_needs(response.unit, response.survey.campaign, schema, response.answers)


def connect():
    from .signals import response_submitted

    if apps.is_installed("pairing"):
        response_submitted.connect(apply_pairing_needs, dispatch_uid="surveys.apply_pairing_needs")
