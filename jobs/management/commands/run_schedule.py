import time

from django.core.management.base import BaseCommand

from jobs import schedule


class Command(BaseCommand):
    help = "按计划把每日任务（如每日提醒）放入任务队列；可在多台机器上同时运行，每天只放入一次。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一次后退出（供 cron 使用）")
        parser.add_argument("--interval", type=int, default=60, help="两次检查之间的秒数（默认 60）")

    def handle(self, *args, once=False, interval=60, **options):
        while True:
            done = schedule.tick()
            if done and options["verbosity"] > 1:
                self.stdout.write("已处理：" + "、".join(done))
            if once:
                return
            time.sleep(max(1, interval))
