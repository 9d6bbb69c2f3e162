"""The least two app servers need for the multi-server test: a coordinator with a real
password, a campaign to import into, a unit the import names, an open-link survey, and a
second account to lock out. Run in the servers' own environment:

    python manage.py shell -c "from tests.servers.seed import seed; seed()"

Prints one JSON line: the campaign code and the survey's open-link token.
"""
import json

from django.db import transaction

PASSWORD = "Qinghai-2024-servers"


@transaction.atomic
def seed():
    from campaigns.models import Membership, Region, Unit
    from surveys import services
    from surveys.models import Survey
    from tests.factories import make_campaign, make_task, make_unit

    province = Region.objects.create(name="青海省", kind=Region.Kind.PROVINCE)
    xining = Region.objects.create(name="西宁市", kind=Region.Kind.PREFECTURE, parent=province)
    office = make_unit("青海省知识产权局公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION, region=province)
    bureau = make_unit("西宁市市场监管局", region=xining)
    campaign = make_campaign(office, code="servers-2024")
    task = make_task(campaign, units=[bureau], title="开展专利培训")
    from django.contrib.auth import get_user_model

    User = get_user_model()
    coordinator = User.objects.create_user("coord", password=PASSWORD)
    Membership.objects.create(user=coordinator, unit=office, role=Membership.Role.COORDINATOR)
    reporter = User.objects.create_user("xining", password=PASSWORD)
    Membership.objects.create(user=reporter, unit=bureau, role=Membership.Role.REPORTER)
    schema = {"pages": [{"name": "p1", "elements": [{"type": "text", "name": "staff", "title": "人员数"}]}]}
    survey = services.create_survey(campaign, "服务需求调研", schema, task=task, status=Survey.Status.OPEN,
                                    access=Survey.Access.OPEN_LINK)
    print(json.dumps({"campaign": campaign.code, "open_token": survey.open_token}))
