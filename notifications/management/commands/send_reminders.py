from datetime import date

from django.core.management.base import BaseCommand, CommandError

from campaigns import lifecycle
from jobs.services import start_job
from notifications import reminders


class Command(BaseCommand):
    help = ("发送任务到期与逾期提醒（每天一次；run_schedule 会按 REMINDER_TIME 自动放入任务队列）。"
            "只有渠道确认收到的提醒才记为已发送；同一提醒不会重复发送。")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help=f"提前多少天提醒（默认 REMINDER_DAYS={lifecycle.reminder_days()}）")
        parser.add_argument("--date", default=None, help="按哪一天计算（YYYY-MM-DD，默认今天）")
        parser.add_argument("--queue", action="store_true", help="放入任务队列由 worker 发送，而不是立即发送")

    def handle(self, *args, days=None, date=None, queue=False, **options):
        today = None
        if date:
            try:
                today = _parse(date)
            except ValueError:
                raise CommandError(f"日期格式不对：{date}，应为 YYYY-MM-DD") from None
        if queue:
            job = start_job("notifications.reminders.reminders_job", title="任务提醒",
                            day=today.isoformat() if today else None)
            self.stdout.write(f"已放入任务队列：{job.pk}")
            return
        run = reminders.send_reminders(today=today, days=days)
        self.stdout.write(reminders.summary_line(run))
        for unit, problem, fix in run.unreachable:
            self.stdout.write(f"无法送达：{unit.name}：{problem}。处理：{fix}")
        if run.failed:
            self.stdout.write(f"{run.failed} 条消息发送失败，将按退避间隔自动重试（见协调看板“消息送达”）。")


def _parse(value):
    return date.fromisoformat(value)
