"""Unit accounts managed by coordinators in the site itself (administrators keep the admin).

A coordinator adds a reporter or viewer account for a unit of its campaigns, deactivates
it, and hands over a one-time link with which the person sets their own password (Django's
PasswordResetTokenGenerator: the link stops working once a password is set, and after
PASSWORD_RESET_TIMEOUT).
"""
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .access import can_manage_account, manageable_units
from .models import Membership
from .services import ActionRefused

USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")
ROLES = (Membership.Role.REPORTER, Membership.Role.VIEWER)


@transaction.atomic
def create_unit_account(coordinator, unit, *, username, role, full_name="", email=""):
    """A new account (no usable password yet) with `role` (reporter or viewer) in `unit`.

    Refused unless `coordinator` manages `unit` (access.manageable_units) and the user name
    is free. Returns the account; give it a password_set_link.
    """
    if not manageable_units(coordinator).filter(pk=unit.pk).exists():
        raise ActionRefused("只能为本人协调的活动方案中的单位添加账号。")
    if role not in ROLES:
        raise ActionRefused("只能添加填报人或查看人账号；协调人账号请联系系统管理员。")
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise ActionRefused("用户名须为 3–150 位字母、数字或 _ . @ + - 符号。")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ActionRefused(f"用户名“{username}”已被使用，请换一个。")
    account = User(username=username, first_name=(full_name or "").strip()[:150], email=(email or "").strip())
    account.set_unusable_password()
    account.save()
    Membership.objects.create(user=account, unit=unit, role=role)
    return account


@transaction.atomic
def set_account_active(coordinator, account, active):
    """Deactivate (or reactivate) an account the coordinator manages; nothing it wrote is removed."""
    if not can_manage_account(coordinator, account):
        raise ActionRefused("您不能管理该账号。")
    if account.is_active != active:
        account.is_active = active
        account.save(update_fields=["is_active"])
    return account


def password_set_link(coordinator, account):
    """The path of a one-time link with which `account` sets its password (Django's
    password-reset-confirm view). Refused for inactive accounts and those not managed."""
    if not can_manage_account(coordinator, account):
        raise ActionRefused("您不能管理该账号。")
    if not account.is_active:
        raise ActionRefused("该账号已停用，请先启用后再生成设置密码链接。")
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(account)])
