from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand

from campaigns.demo import DEMO_PASSWORD, load_demo


def demo_extra_loaders():
    """`load_demo_extras(campaign)` of every installed app that has a `demo` module defining it.

    Lets other apps (surveys, pairing, reports) add their demo data without campaigns
    importing them; each loader must be idempotent like load_demo itself.
    """
    loaders = []
    for config in apps.get_app_configs():
        if config.name == "campaigns" or find_spec(f"{config.name}.demo") is None:
            continue
        loader = getattr(import_module(f"{config.name}.demo"), "load_demo_extras", None)
        if callable(loader):
            loaders.append((config.name, loader))
    return loaders


class Command(BaseCommand):
    help = "加载演示数据：2024年青海省“知识产权公共服务市州行”活动方案、单位和演示账号（可重复运行）。"

    def handle(self, *args, **options):
        campaign, logins = load_demo()
        self.stdout.write(self.style.SUCCESS(f"已加载：{campaign.title}（{campaign.tasks.count()} 项任务）"))
        for _name, loader in demo_extra_loaders():
            for line in loader(campaign) or []:
                self.stdout.write(self.style.SUCCESS(f"已加载：{line}"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, unit, role in logins:
            self.stdout.write(f"  {username:<10} {unit}（{role}）")
