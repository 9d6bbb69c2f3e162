from django.apps import AppConfig


class JobsConfig(AppConfig):
    """The job layer: long work run on the task queue, with progress and a result file.

    Infrastructure below every domain app (like django-filter): it imports none of them,
    so campaigns, surveys, pairing, notifications and reports may all start jobs.
    """

    name = "jobs"
    verbose_name = "后台任务"
