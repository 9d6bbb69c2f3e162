import os
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse


def test_check_deploy_is_clean_with_production_settings():
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; a deployment would not)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {"DEBUG": "0", "SECRET_KEY": "x" * 20 + "a-real-production-key-7f3c9e1b5d", "ALLOWED_HOSTS": "o.example.cn"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"DEBUG": "0", "ALLOWED_HOSTS": "x"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_interface_speaks_chinese_in_shanghai_time():
    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def test_login_is_locked_after_repeated_wrong_passwords(client, db):
    get_user_model().objects.create_user("bureau", password="right-password-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "bureau", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "bureau", "password": "right-password-1"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_right_password_reaches_home(client, db):
    get_user_model().objects.create_user("bureau", password="right-password-1")
    response = client.post(reverse("login"), {"username": "bureau", "password": "right-password-1"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]
