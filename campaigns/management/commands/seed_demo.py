from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

from campaigns.demo import DEMO_PASSWORD, load_demo, load_demo_progress


class Command(BaseCommand):
    help = "加载演示数据：2024年青海省“知识产权公共服务市州行”活动方案、单位和演示账号（可重复运行）。"

    def handle(self, *args, **options):
        campaign, logins = load_demo()
        # Each other installed app may add its own demo data: <app>.demo.load_demo_extras(campaign).
        for config in apps.get_app_configs():
            if config.name == "campaigns":
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            if hasattr(module, "load_demo_extras"):
                module.load_demo_extras(campaign)
        self.stdout.write(self.style.SUCCESS(f"已加载：{campaign.title}（{campaign.tasks.count()} 项任务）"))
        steps = load_demo_progress(campaign)
        if steps:
            self.stdout.write(f"已加入演示进度：{steps} 条（填报、退回、核验、调整报备）")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, unit, role in logins:
            self.stdout.write(f"  {username:<10} {unit}（{role}）")
