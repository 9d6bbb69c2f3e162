"""Signals other apps may listen to (surveys imports none of them for this)."""
from django.dispatch import Signal

# Sent after the transaction that stored a submitted response commits.
# Arguments: sender=Survey, response=Response.
response_submitted = Signal()

# Sent inside the transaction that stores a submitted response, right after its row is
# inserted: what a listener writes commits or rolls back with the response (queue a job
# here, jobs.services.start_job, and the work can never be lost between the two). Keep it
# to a write or two; an error refuses the submit.
# Arguments: sender=Survey, response=Response.
response_stored = Signal()

# Sent after the transaction that created invitations commits.
# Arguments: sender=Survey, survey=Survey, invitations=list of new Invitation rows.
invitation_sent = Signal()
