"""Which functions may run as jobs: only those marked with @job_function.

A job row names its function by dotted path; the worker imports it and refuses anything
not marked, so a tampered row cannot run arbitrary code.
"""


def job_function(func=None, *, retry=False):
    """Mark `func(job, **kwargs)` as runnable by start_job().

    `@job_function(retry=True)`: a failed run is queued again by jobs.services.retry_failed
    (settings.JOB_RETRY_AFTER after it failed, for settings.JOB_RETRY_FOR after the job was
    created); the function must be safe to run again."""

    def mark(func):
        func.is_job_function = True
        func.job_retry = retry
        return func

    return mark(func) if func is not None else mark
