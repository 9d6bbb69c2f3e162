from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from pairing import services


class Command(BaseCommand):
    help = "打印活动方案的结对帮扶建议（受帮扶单位、帮扶机构、得分与理由，以及未能匹配的单位）。"

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="活动方案代码，如 qinghai-2024")
        parser.add_argument("--save", action="store_true", help="同时保存为待确认结对（替换尚未确认的系统建议）")

    def handle(self, campaign, save=False, **options):
        try:
            campaign = Campaign.objects.get(code=campaign)
        except Campaign.DoesNotExist:
            raise CommandError(f"没有代码为 {campaign} 的活动方案") from None
        if save:
            plan, fixed = services.save_suggestions(campaign), []
        else:
            plan, fixed = services.build_plan(campaign)
        self.stdout.write(f"{campaign.title}：结对帮扶建议")
        for p in fixed:
            self.stdout.write(f"  已确定  {p.mentee.name} ← {p.mentor.name}（{p.get_status_display()}）")
        for pair in plan.pairs:
            self.stdout.write(
                f"  {pair.mentee.name} ← {pair.mentor.name}  得分 {pair.score}  理由：{'；'.join(pair.reasons)}"
            )
        self.stdout.write(f"共 {len(plan.pairs)} 对，总分 {plan.total_score}。")
        if plan.unserved:
            self.stdout.write(self.style.WARNING(f"未能匹配 {len(plan.unserved)} 家："))
            for mentee, reason in plan.unserved:
                self.stdout.write(f"  {mentee.name}：{reason}")
        else:
            self.stdout.write("每家受帮扶单位都有建议的帮扶机构。")
        if save:
            self.stdout.write(self.style.SUCCESS("已保存为待确认结对。"))
