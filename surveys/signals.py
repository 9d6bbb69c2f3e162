"""Signals other apps may listen to (surveys imports none of them for this)."""
from django.dispatch import Signal

# Sent after the transaction that stored a submitted response commits.
# Arguments: sender=Survey, response=Response.
response_submitted = Signal()

# Sent after the transaction that created invitations commits.
# Arguments: sender=Survey, survey=Survey, invitations=list of new Invitation rows.
invitation_sent = Signal()
