"""Signals other apps may listen to (campaigns imports none of them for this).

Each is sent once the transaction that made the change has committed
(`transaction.on_commit`), so a listener never sees a change that was rolled back.
"""
from django.db import transaction
from django.dispatch import Signal

# sender=Campaign, campaign=Campaign: the plan was published (status became in progress).
campaign_published = Signal()
# sender=Assignment, assignment=Assignment, report=ProgressReport (the coordinator's entry), by=User
assignment_returned = Signal()
assignment_verified = Signal()
# sender=AdjustmentRequest, adjustment=AdjustmentRequest, by=User
adjustment_filed = Signal()
adjustment_decided = Signal()


def send_on_commit(signal, sender, **kwargs):
    """Send `signal` after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
