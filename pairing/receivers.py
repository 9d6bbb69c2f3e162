"""Pairing listens to the surveys app: a bureau's baseline answers become its needs.

Connected in PairingConfig.ready() when the surveys app is installed; surveys itself knows
nothing of pairing (it only sends `response_submitted` once a submit has committed).
"""
from . import services


def apply_baseline_needs(sender, response, **kwargs):
    """A unit's answers to the questions marked "pairingNeeds" become its needs for pairing."""
    from surveys.validation import walk_questions

    schema = response.version.schema
    if response.unit_id is None or not any(q.pairing_needs for q in walk_questions(schema)):
        return
    services.apply_survey_needs(response.unit, response.survey.campaign, schema, response.answers)


def connect():
    from django.apps import apps

    if apps.is_installed("surveys"):
        from surveys.signals import response_submitted

        response_submitted.connect(apply_baseline_needs, dispatch_uid="pairing.apply_baseline_needs")
