"""Publishing a plan (草稿 → 进行中) with the announcement every responsible unit gets, at
50 tasks (the baseline) and at 500 / 5,000 tasks of bench/national.py, every unit of the
province with one person reached by email (Django's in-memory mail backend; the deliveries
are queued, not sent, as in the request).

    .venv/bin/python bench/publish_national.py [--sizes 50,500,5000]

Prints, per size, the units told, the inbox entries and deliveries created, the queries and
the seconds of the publish call (the notifications run in it, after its commit), and the
ratio of each size to the smallest. Before the announcements were batched (2026-12-02),
publishing the 5,000-task plan made 208 queries here (eight per unit) and took 1.87 s.
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import machine, ratio, setup_django  # noqa: E402


def measure(sizes):
    """{size: {units, inbox, deliveries, queries, seconds}} of publishing a plan of each size."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.national import generate_campaign, generate_directory, give_every_unit_a_reporter
    from campaigns import editor
    from campaigns.models import Campaign, Membership
    from notifications.models import Delivery, Notification

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    directory = generate_directory()
    User = get_user_model()
    give_every_unit_a_reporter()
    province = next(iter(directory.values()))
    coordinator = User.objects.create_user("publish-coordinator")
    Membership.objects.create(user=coordinator, unit=province["divisions"][0], role=Membership.Role.COORDINATOR)

    results = {}
    # The first publish pays for imports and URL set-up: a warm-up, not counted.
    for key, size in [("warm-up", 10), *((size, size) for size in sizes)]:
        campaign = generate_campaign(province, size, code=f"publish-{key}")
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
        campaign.refresh_from_db()
        before = Notification.objects.count(), Delivery.objects.count()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            editor.publish_campaign(campaign, coordinator)
            seconds = time.perf_counter() - start
        told = Notification.objects.filter(campaign=campaign, kind="task_assigned").values("unit").distinct().count()
        results[key] = {"units": told, "inbox": Notification.objects.count() - before[0],
                         "deliveries": Delivery.objects.count() - before[1], "queries": len(queries),
                         "seconds": seconds}
    del results["warm-up"]
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="50,500,5000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    setup_django()
    from django.db import connection

    results = measure(sizes)
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}")
    print(f"{'tasks':>7}{'units':>7}{'inbox':>7}{'deliveries':>12}{'queries':>9}{'seconds':>9}{'time/smallest':>15}")
    smallest = results[sizes[0]]
    for size in sizes:
        r = results[size]
        print(f"{size:>7}{r['units']:>7}{r['inbox']:>7}{r['deliveries']:>12}{r['queries']:>9}{r['seconds']:>9.2f}"
              f"{ratio(r['seconds'], smallest['seconds']):>15}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
