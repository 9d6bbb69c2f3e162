"""send_reminders over the national directory (bench/national.py): 3 provinces' campaigns
(the baseline) and all 31 at once, every unit with one person reached by email (Django's
in-memory mail backend, so the figures are the app's own work).

    .venv/bin/python bench/reminders_national.py [--tasks 200]

Prints, for each set, the assignments reminded, units reached, messages, queries and
seconds, and the ratio of the national run to the baseline. Issue 17 measured 5.6 s and
2,435 queries for the national set before reminders were batched per unit.
"""
import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import machine, ratio, setup_django  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.national import generate_campaign, generate_directory, give_every_unit_a_reporter
    from campaigns.models import Campaign
    from notifications import reminders

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    directory = generate_directory()
    give_every_unit_a_reporter()
    provinces = list(directory)
    today = date(2024, 7, 1)  # deadlines run from 2024-04-20 over 160 days: some late, some due

    def measure(names, tag):
        campaigns = [generate_campaign(directory[name], args.tasks, code=f"{tag}-{i}") for i, name in enumerate(names)]
        mail.outbox = []
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            run = reminders.send_reminders(today=today, days=7)
            seconds = time.perf_counter() - start
        Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).update(status=Campaign.Status.CLOSED)
        return {"campaigns": len(campaigns), "reminders": run.reminders, "units": run.units,
                "messages": len(mail.outbox), "queries": len(queries), "seconds": seconds}

    print(f"machine: {machine()}")
    print(f"{'set':<26}{'campaigns':>10}{'reminded':>10}{'units':>7}{'messages':>10}{'queries':>9}{'seconds':>9}")
    small = measure(provinces[:3], "small")
    national = measure(provinces, "national")
    for label, r in (("3 provinces (baseline)", small), ("31 provinces (national)", national)):
        print(f"{label:<26}{r['campaigns']:>10}{r['reminders']:>10}{r['units']:>7}{r['messages']:>10}"
              f"{r['queries']:>9}{r['seconds']:>9.2f}")
    print(f"national / baseline: reminders {ratio(national['reminders'], small['reminders'])}, "
          f"queries {ratio(national['queries'], small['queries'])}, time {ratio(national['seconds'], small['seconds'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
