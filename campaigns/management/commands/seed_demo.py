from contextlib import nullcontext
from datetime import date
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from campaigns import lifecycle
from campaigns.demo import (
    DEMO_PASSWORD,
    at_moment,
    close_for_demo,
    demo_clock,
    load_demo,
    load_live_campaign,
    play_2024_life,
)
from campaigns.models import Assignment, Campaign
from jobs.models import Job
from jobs.services import run as run_job


def _demo_modules():
    """<app>.demo of every other installed app (campaigns imports none of them)."""
    modules = []
    for config in apps.get_app_configs():
        if config.name == "campaigns":
            continue
        try:
            modules.append(import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
    return modules


class Command(BaseCommand):
    help = (
        "加载演示数据：已结束的2024年青海省“知识产权公共服务市州行”活动（完整过程），"
        "以及由它复制、按今天进行中的本年度活动；单位和演示账号。可重复运行，第二次不做任何改动。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", default=None,
                            help="以哪一天为“今天”安排本年度活动的进度（YYYY-MM-DD，默认今天；用于测试）")

    def handle(self, *args, today=None, **options):
        if today:
            try:
                today = date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"日期格式不对：{today}，应为 YYYY-MM-DD") from None
        today = today or lifecycle.today()
        if today.year <= 2024:
            raise CommandError("演示的“今天”须在 2025 年或以后（2024 年是已结束的演示活动）。")
        modules = _demo_modules()
        queued_before = set(Job.objects.filter(status=Job.Status.QUEUED).values_list("pk", flat=True))
        with transaction.atomic():
            fresh = not Campaign.objects.filter(code="qinghai-2024").exists()
            # A first load is dated the day the 2024 notice was issued, so the plan's history starts there.
            with demo_clock(at_moment(date(2024, 4, 24), 9)) if fresh else nullcontext():
                campaign, logins = load_demo()
            for module in modules:
                if hasattr(module, "load_demo_extras"):
                    module.load_demo_extras(campaign)
            if campaign.status != Campaign.Status.CLOSED:
                play_2024_life(campaign)
                # Each app may play its part of the year: <app>.demo.play_demo_life(campaign).
                for module in modules:
                    if hasattr(module, "play_demo_life"):
                        module.play_demo_life(campaign)
                close_for_demo(campaign)
            live = load_live_campaign(campaign, today)
        # What the load queued (pairing needs from the demo's survey answers) is done now, so the
        # demo is whole without a worker; a worker handed the same jobs later skips them.
        for pk in Job.objects.filter(status=Job.Status.QUEUED).exclude(pk__in=queued_before).values_list("pk", flat=True):
            run_job(pk)
        verified = Assignment.objects.filter(task__campaign=campaign, status=Assignment.Status.VERIFIED).count()
        self.stdout.write(self.style.SUCCESS(
            f"已加载：{campaign.title}（已结束，{campaign.tasks.count()} 项任务，{verified} 项分工已核验）"))
        state = Assignment.objects.filter(task__campaign=live).with_deadline_state(today)
        self.stdout.write(self.style.SUCCESS(
            f"已加载：{live.title}（进行中，以 {today:%Y-%m-%d} 为今天：逾期 {state.filter(is_overdue=True).count()} 项，"
            f"{lifecycle.reminder_days()} 天内到期 {state.filter(is_due_soon=True).count()} 项）"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, unit, role in logins:
            self.stdout.write(f"  {username:<10} {unit}（{role}）")

