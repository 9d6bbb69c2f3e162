"""Start jobs and report their progress. Callers: views, commands, schedules of every app."""
import logging
import traceback

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Job

log = logging.getLogger(__name__)


class JobRefused(Exception):
    """A job could not be started or run; the message is for the user, in Chinese."""


def start_job(function, *, title, owner=None, backend=None, **arguments):
    """Record a job and put it on the task queue once the current transaction commits.

    `function` is the dotted path of a @job_function taking (job, **arguments); the
    arguments must be JSON values. `backend` is a TASKS alias (default: "default").
    Returns the Job (status 排队中); its page shows progress and, when done, the download.
    """
    func = import_string(function)
    if not getattr(func, "is_job_function", False):
        raise JobRefused(f"{function} 不能作为后台任务运行。")
    job = Job.objects.create(title=title, function=function, arguments=arguments, owner=owner,
                             backend=backend or "default")
    transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job):
    """Hand the job to its task backend; a queue that cannot be reached fails the job visibly."""
    from .tasks import run_job

    try:
        result = run_job.using(backend=job.backend).enqueue(str(job.pk))
    except Exception as error:  # broker down, misconfigured backend
        log.exception("could not enqueue job %s", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=f"任务队列不可用：{error}", finished_at=timezone.now()
        )
        return None
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    return result


class JobHandle:
    """What a job function gets: report progress, store the result file."""

    def __init__(self, job):
        self.job = job

    @property
    def pk(self):
        return self.job.pk

    @property
    def owner(self):
        return self.job.owner

    def progress(self, percent, message=""):
        """Record how far the job is (0–100) and what it is doing; seen at once by the status page."""
        percent = max(0, min(100, int(percent)))
        self.job.percent, self.job.message = percent, str(message)[:300]
        Job.objects.filter(pk=self.job.pk).update(percent=percent, message=self.job.message)

    def save_result(self, name, content):
        """Store the result file (bytes, or a file object) in the default storage under `name`."""
        if isinstance(content, bytes):
            content = ContentFile(content)
        elif not isinstance(content, File):
            content = File(content)
        self.job.result_file.save(name, content, save=False)
        self.job.result_name = name
        Job.objects.filter(pk=self.job.pk).update(result_file=self.job.result_file.name, result_name=name)


def run(job_id):
    """Run one job by id (called by the queue's worker). Never raises: failures are kept on the job."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"  # already run (a queue delivering twice) or unknown
    job = Job.objects.select_related("owner").get(pk=job_id)
    handle = JobHandle(job)
    try:
        func = import_string(job.function)
        if not getattr(func, "is_job_function", False):
            raise JobRefused(f"{job.function} 不能作为后台任务运行。")
        outcome = func(handle, **job.arguments)
    except Exception as error:
        log.exception("job %s (%s) failed", job.pk, job.function)
        message = str(error) if isinstance(error, JobRefused) else f"{type(error).__name__}: {error}"
        detail = traceback.format_exc(limit=5) if settings.DEBUG else ""
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=(message + ("\n" + detail if detail else ""))[:5000],
            finished_at=timezone.now(),
        )
        return "failed"
    done = {"status": Job.Status.SUCCEEDED, "percent": 100, "finished_at": timezone.now()}
    if isinstance(outcome, str) and outcome:
        done["message"] = outcome[:300]
    Job.objects.filter(pk=job.pk).update(**done)
    return "succeeded"


def retry(job, note=""):
    """Queue a failed job again (same function and arguments). Returns True if it was failed
    and is now queued; its last error stays readable in the progress message."""
    last_error = (job.error or "").splitlines()[0][:200] if job.error else ""
    message = f"上次运行失败（{last_error}），已重新排队" if last_error else "已重新排队"
    requeued = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
        status=Job.Status.QUEUED, percent=0, started_at=None, finished_at=None, error="",
        message=(note or message)[:300], task_id="",
    )
    if not requeued:
        return False
    job.refresh_from_db()
    transaction.on_commit(lambda: enqueue(job))
    return True


def _retries(job):
    try:
        func = import_string(job.function)
    except ImportError:
        return False
    return getattr(func, "is_job_function", False) and getattr(func, "job_retry", False)


def retry_failed(now=None):
    """Queue again every failed job whose function retries (@job_function(retry=True)) once
    settings.JOB_RETRY_AFTER has passed since it failed, for settings.JOB_RETRY_FOR after it
    was created (after that it stays failed, visible in 后台任务); and hand to the queue such
    a job recorded but never handed over (its transaction committed, then the process
    stopped before enqueue). Run every minute by `manage.py run_schedule`; returns how many
    were queued."""
    now = now or timezone.now()
    recent = Job.objects.filter(created_at__gte=now - settings.JOB_RETRY_FOR)
    queued = 0
    failed = recent.filter(status=Job.Status.FAILED, finished_at__lte=now - settings.JOB_RETRY_AFTER)
    for job in failed.order_by("finished_at")[:200]:
        if _retries(job) and retry(job):
            queued += 1
    stranded = recent.filter(status=Job.Status.QUEUED, task_id="", created_at__lte=now - settings.JOB_RETRY_AFTER)
    for job in stranded.order_by("created_at")[:200]:
        if _retries(job) and enqueue(job) is not None:
            queued += 1
    return queued


def run_function_as_job(function, *, title, owner=None, **arguments):
    """The generic helper for other apps: run `function(job, **arguments)` on the queue.

    Same as start_job; named for what callers want.
    """
    return start_job(function, title=title, owner=owner, **arguments)
