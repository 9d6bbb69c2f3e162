from django.contrib.auth import get_user_model
from django.core.management import call_command

from campaigns.models import Assignment, Campaign, Membership, Section, Task, Unit


def test_demo_plan_has_22_numbered_tasks_each_with_a_lead(demo):
    numbers = list(Task.objects.filter(campaign=demo).values_list("number", flat=True).order_by("number"))
    assert numbers == list(range(1, 23))
    for task in demo.tasks.all():
        assert task.assignments.filter(role=Assignment.Role.LEAD).exists(), task.number


def test_demo_has_five_sections_in_published_order(demo):
    assert list(demo.sections.values_list("title", flat=True)) == [
        "活动启动",
        "知识产权公共服务基础能力提升活动",
        "知识产权信息公共服务机构结对帮扶活动",
        "知识产权公共服务入园惠企活动",
        "知识产权公共服务产品宣传推广活动",
    ]
    per_section = [s.tasks.count() for s in Section.objects.filter(campaign=demo)]
    assert per_section == [1, 9, 3, 6, 3]


def test_demo_campaign_is_the_published_notice(demo):
    assert demo.code == "qinghai-2024"
    assert demo.document_number == "青市监函〔2024〕144号"
    assert str(demo.summary_due) == "2024-09-30"
    assert demo.tasks.get(number=1).deadline.strftime("%Y-%m") == "2024-04"
    for task in demo.tasks.all():
        assert "2024-04-01" <= str(task.deadline) <= "2024-09-30"


def test_task_11_is_led_by_each_of_the_eight_bureaus(demo):
    bureaus = Unit.objects.filter(kind=Unit.Kind.PREFECTURE_BUREAU)
    assert bureaus.count() == 8
    leads = Assignment.objects.filter(task__campaign=demo, task__number=11, role=Assignment.Role.LEAD)
    assert set(leads.values_list("unit__name", flat=True)) == set(bureaus.values_list("name", flat=True))
    co = Assignment.objects.filter(task__campaign=demo, task__number=11, role=Assignment.Role.CO)
    assert {"省局知识产权公共服务处", "省局商标品牌处", "青海大学"} <= set(co.values_list("unit__name", flat=True))


def test_names_lose_their_description_and_trailing_tisc(demo):
    assert Task.objects.get(campaign=demo, number=9).leads[0].unit.name == "青海大学"
    assert Task.objects.get(campaign=demo, number=12).leads[0].unit.name == "青海之也科技咨询有限公司"
    assert not Unit.objects.filter(name__contains="TISC").exists()
    assert not Unit.objects.filter(name__contains="——").exists()


def test_xining_has_exactly_tasks_3_6_8_as_co_and_11_14_as_lead(demo):
    xining = Unit.objects.get(name="西宁市市场监管局")
    rows = Assignment.objects.filter(unit=xining).values_list("task__number", "role")
    assert sorted(rows) == [(3, "co"), (6, "co"), (8, "co"), (11, "lead"), (14, "lead")]


def test_demo_accounts_log_in_with_the_shared_password(demo):
    User = get_user_model()
    for username in ["province", "xining", "haidong", "haibei", "huangnan", "hainan", "guoluo", "yushu", "haixi"]:
        assert User.objects.get(username=username).check_password("qinghai2024"), username
    province = Membership.objects.get(user__username="province")
    assert (province.unit.name, province.role) == ("省局知识产权公共服务处", "coordinator")
    # every institution the plan names has an account
    for name in ["青海大学", "青海民族大学", "青海之也科技咨询有限公司", "西宁市科技创新促进中心",
                 "青海省生产力促进中心有限公司", "青海省青藏知识产权服务中心", "中国科学院青海盐湖研究所"]:
        assert Membership.objects.filter(unit__name=name).exists(), name


def _snapshot():
    return {
        "campaigns": list(Campaign.objects.values().order_by("pk")),
        "tasks": list(Task.objects.values().order_by("pk")),
        "assignments": list(Assignment.objects.values().order_by("pk")),
        "units": list(Unit.objects.values().order_by("pk")),
        "memberships": list(Membership.objects.values().order_by("pk")),
        "users": list(get_user_model().objects.values("pk", "username", "password").order_by("pk")),
    }


def test_seed_demo_twice_changes_nothing(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    before = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _snapshot() == before


def test_seed_demo_keeps_reported_progress(demo):
    assignment = Assignment.objects.get(task__number=14)
    assignment.status, assignment.percent = "in_progress", 40
    assignment.save()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assignment.refresh_from_db()
    assert (assignment.status, assignment.percent) == ("in_progress", 40)
