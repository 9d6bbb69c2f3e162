"""Signals other apps may listen to (pairing imports none of them for this)."""
from django.dispatch import Signal

# Sent after the transaction that stored the activity commits, when the mentor's side
# logged it and the mentee must confirm it. sender=MentoringActivity, activity=MentoringActivity.
activity_awaiting_confirmation = Signal()
