"""Unit accounts managed by coordinators without the admin (campaigns/accounts.py)."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from campaigns import accounts
from campaigns.models import Membership, Unit
from campaigns.services import ActionRefused
from tests.factories import make_campaign, make_task, make_unit, make_user

User = get_user_model()


@pytest.fixture
def world(db):
    office = make_unit("省局知识产权公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION)
    xining = make_unit("西宁市市场监管局")
    outsider = make_unit("外省某局")
    campaign = make_campaign(office, code="qh")
    make_task(campaign, units=[xining])
    return {
        "office": office, "xining": xining, "outsider": outsider,
        "coordinator": make_user(office, Membership.Role.COORDINATOR, username="province"),
        "bureau": make_user(xining, username="xining"),
        "outsider_user": make_user(outsider, username="far"),
        "other_coordinator": make_user(make_unit("外省处室"), Membership.Role.COORDINATOR, username="boss"),
    }


def test_a_coordinator_adds_a_reporter_for_a_unit_of_its_campaign(world, login):
    client = login(world["coordinator"])
    response = client.post(reverse("campaigns:unit_accounts"), {
        "unit": world["xining"].pk, "username": "xining2", "full_name": "张三", "email": "z@example.cn",
        "role": "reporter",
    })
    assert response.status_code == 200
    account = User.objects.get(username="xining2")
    assert not account.has_usable_password()
    assert list(account.memberships.values_list("unit__name", "role")) == [("西宁市市场监管局", "reporter")]
    assert "/accounts/set-password/" in response.content.decode()


def test_the_password_link_works_once(world, client):
    account = accounts.create_unit_account(world["coordinator"], world["xining"], username="newbie",
                                           role=Membership.Role.VIEWER)
    link = accounts.password_set_link(world["coordinator"], account)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    page = client.get(form_url).content.decode()
    assert "设置密码" in page and "newbie" in page
    response = client.post(form_url, {"new_password1": "Qinghai-2025-pw", "new_password2": "Qinghai-2025-pw"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.check_password("Qinghai-2025-pw")
    again = client.get(link, follow=True).content.decode()
    assert "该链接已失效" in again


def test_a_unit_outside_the_coordinators_campaigns_gets_no_account(world, login):
    client = login(world["coordinator"])
    count = User.objects.count()
    response = client.post(reverse("campaigns:unit_accounts"), {
        "unit": world["outsider"].pk, "username": "sneaky", "role": "reporter"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    with pytest.raises(ActionRefused):
        accounts.create_unit_account(world["coordinator"], world["outsider"], username="sneaky", role="reporter")
    assert User.objects.count() == count


def test_a_coordinator_account_cannot_be_made_here(world):
    count = User.objects.count()
    with pytest.raises(ActionRefused, match="协调人账号"):
        accounts.create_unit_account(world["coordinator"], world["xining"], username="boss2", role="coordinator")
    assert User.objects.count() == count


def test_a_username_in_use_is_refused(world):
    with pytest.raises(ActionRefused, match="已被使用"):
        accounts.create_unit_account(world["coordinator"], world["xining"], username="XINING", role="reporter")


def test_a_coordinator_deactivates_a_units_account_and_it_can_no_longer_log_in(world, login, client):
    bureau = world["bureau"]
    login(world["coordinator"]).post(reverse("campaigns:unit_account_change", args=[bureau.pk]),
                                     {"action": "deactivate"})
    bureau.refresh_from_db()
    assert not bureau.is_active
    client.logout()
    response = client.post(reverse("login"), {"username": "xining", "password": "pw-test-123"})
    assert response.status_code == 200  # the login form again, not a redirect


@pytest.mark.parametrize("target", ["outsider_user", "other_coordinator", "coordinator"])
def test_accounts_outside_ones_campaigns_and_coordinators_stay_out_of_reach(world, login, target):
    account = world[target]
    client = login(world["coordinator"])
    for action in ("deactivate", "link"):
        response = client.post(reverse("campaigns:unit_account_change", args=[account.pk]), {"action": action})
        assert response.status_code == 404
    account.refresh_from_db()
    assert account.is_active


def test_a_unit_reporter_cannot_manage_accounts(world, login):
    client = login(world["bureau"])
    assert client.get(reverse("campaigns:unit_accounts")).status_code == 403
    response = client.post(reverse("campaigns:unit_account_change", args=[world["bureau"].pk]),
                           {"action": "deactivate"})
    assert response.status_code == 404
    world["bureau"].refresh_from_db()
    assert world["bureau"].is_active


def test_a_deactivated_account_gets_no_password_link(world):
    accounts.set_account_active(world["coordinator"], world["bureau"], False)
    with pytest.raises(ActionRefused, match="已停用"):
        accounts.password_set_link(world["coordinator"], world["bureau"])


def test_the_accounts_page_lists_units_accounts_but_not_coordinators(world, login):
    page = login(world["coordinator"]).get(reverse("campaigns:unit_accounts")).content.decode()
    assert re.search(r'data-account="xining"', page)
    assert 'data-account="province"' not in page and 'data-account="far"' not in page
