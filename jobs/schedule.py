"""Daily and every-minute schedules, run by `manage.py run_schedule` on any number of machines.

settings.JOB_SCHEDULES lists them: ("daily", name, "HH:MM", job function path, title) and
("minutely", name, callable path). A daily one is queued once a day (ScheduledRun is unique
per name and day), the first time a scheduler ticks at or after its time.
"""
import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun
from .services import start_job

log = logging.getLogger(__name__)


def tick(now=None):
    """Queue every daily job that is due and not yet queued today; run the minutely callables.

    Returns the names of what was queued or run.
    """
    now = timezone.localtime(now or timezone.now())
    done = []
    for entry in getattr(settings, "JOB_SCHEDULES", []):
        kind, name = entry[0], entry[1]
        if kind == "daily":
            at, function, title = entry[2], entry[3], entry[4]
            hour, minute = (int(x) for x in at.split(":"))
            if (now.hour, now.minute) < (hour, minute):
                continue
            if ScheduledRun.objects.filter(name=name, day=now.date()).exists():
                continue
            try:
                with transaction.atomic():
                    run = ScheduledRun.objects.create(name=name, day=now.date())
                    run.job = start_job(function, title=f"{title}（{now:%Y-%m-%d}）", day=now.date().isoformat())
                    run.save(update_fields=["job"])
            except IntegrityError:
                continue  # another scheduler queued it a moment ago
            done.append(name)
        elif kind == "minutely":
            try:
                import_string(entry[2])()
            except Exception:
                log.exception("schedule %s failed", name)
                continue
            done.append(name)
    return done


def parse_day(value):
    return datetime.strptime(value, "%Y-%m-%d").date()
