"""Notifications delivered per second: through the job queue (database backend, its real
worker) beside a direct call of the same delivery function, in the same run.

Half the messages go by email (Django's in-memory mail backend), half to a 企业微信 robot
stood in for by a local HTTP server (through Apprise, as in production).
Usage: python bench/notify_delivery.py [--units 100] [--rounds 2]
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, setup_django  # noqa: E402


class Robot(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Robot.received += 1
        body = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def make_world(n_units):
    from django.contrib.auth import get_user_model

    from campaigns.models import Membership, Unit
    from notifications.models import UnitRobot

    units = Unit.objects.bulk_create([Unit(name=f"基准单位{i}", kind=Unit.Kind.PREFECTURE_BUREAU) for i in range(n_units)])
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"bench{i}", email=f"bench{i}@example.cn") for i in range(n_units)])
    Membership.objects.bulk_create([Membership(user=u, unit=unit) for u, unit in zip(users, units, strict=True)])
    UnitRobot.objects.bulk_create([
        UnitRobot(unit=unit, kind="wecom", webhook_url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k{i}")
        for i, unit in enumerate(units)
    ])
    return units


def create(units, label):
    from notifications import services

    return services.notify_units(units, kind="chase_up", title=f"【催报】{label}", body="请报送", queue=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from notifications import services
    from notifications.models import Delivery
    from notifications.tasks import deliver_task

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.NOTIFY_ROBOT_BASE_URLS = {"wecom": f"http://127.0.0.1:{server.server_address[1]}"}
    units = make_world(args.units)
    print(machine())
    print(f"{args.units} units × (1 email + 1 企业微信 robot) = {2 * args.units} deliveries per round, {args.rounds} rounds")
    direct, queued = [], []
    for r in range(args.rounds):
        deliveries = create(units, f"direct {r}")
        t = time.perf_counter()
        services.deliver_many([d.pk for d in deliveries])
        direct.append(len(deliveries) / (time.perf_counter() - t))

        deliveries = create(units, f"queued {r}")
        t = time.perf_counter()
        # As the app does: one queue task per notify call's batch (here one per unit).
        for d1, d2 in zip(deliveries[::2], deliveries[1::2], strict=True):
            deliver_task.enqueue([d1.pk, d2.pk])
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
        queued.append(len(deliveries) / (time.perf_counter() - t))
    sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
    total = Delivery.objects.count()
    assert sent == total, f"only {sent} of {total} delivered"
    assert Robot.received == total // 2
    best_direct, best_queued = max(direct), max(queued)
    print(f"direct call:               {best_direct:8.1f} deliveries/s (best of {args.rounds})")
    print(f"through the queue (db):    {best_queued:8.1f} deliveries/s (enqueue + worker, best of {args.rounds})")
    print(f"queue / direct:            {best_queued / best_direct:8.2f}")
    print(f"all {total} accepted; robot endpoint received {Robot.received}")
    server.shutdown()


if __name__ == "__main__":
    main()
