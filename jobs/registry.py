"""Which functions may run as jobs: only those marked with @job_function.

A job row names its function by dotted path; the worker imports it and refuses anything
not marked, so a tampered row cannot run arbitrary code.
"""


def job_function(func):
    """Mark `func(job, **kwargs)` as runnable by start_job()."""
    func.is_job_function = True
    return func
