"""Pairing listens to the surveys app: a bureau's baseline answers become its needs.

Connected in PairingConfig.ready() when the surveys app is installed; surveys itself knows
nothing of pairing (it sends `response_stored` inside the transaction that stores a
submitted response). The listener only queues the work (pairing.jobs.apply_baseline_needs):
the job row commits with the response, the queue runs it after commit, a failure is kept
on the job and retried; a submit stays a few queries.
"""
from jobs.services import start_job


def apply_baseline_needs(sender, response, **kwargs):
    """Queue turning the answers to the questions marked "pairingNeeds" into the unit's needs."""
    from surveys.services import questionnaire_for

    if response.unit_id is None:
        return
    # The checked questionnaire is cached per version: no query, no schema decoded here.
    if not any(q.pairing_needs for q in questionnaire_for(response.version).questions):
        return
    start_job("pairing.jobs.apply_baseline_needs", title=f"问卷答卷转为帮扶需求（答卷 {response.pk}）",
              response_id=response.pk)


def connect():
    from django.apps import apps

    if apps.is_installed("surveys"):
        from surveys.signals import response_stored

        response_stored.connect(apply_baseline_needs, dispatch_uid="pairing.apply_baseline_needs")
