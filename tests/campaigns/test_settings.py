import json
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


STORAGE = "from django.core.files.storage import storages; s = storages['default']; "


def _python(code, **env_vars):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | env_vars
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=settings.BASE_DIR,
                          env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"}, capture_output=True, text=True)


def test_media_go_to_s3_compatible_storage_when_a_bucket_is_configured():
    result = _python(
        STORAGE + "print(type(s).__name__, s.bucket_name, s.endpoint_url)",
        AWS_STORAGE_BUCKET_NAME="outreach-media", AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    assert result.stdout.split() == ["S3Storage", "outreach-media", "http://127.0.0.1:9000"], result.stderr


def test_media_stay_on_the_local_volume_by_default():
    result = _python(STORAGE + "print(type(s).__name__, s.location)", MEDIA_ROOT="/srv/outreach/media")
    assert result.stdout.split() == ["FileSystemStorage", "/srv/outreach/media"], result.stderr


def test_production_collectstatic_builds_the_manifest_with_the_npm_libraries(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {"DEBUG": "0", "SECRET_KEY": "y" * 20 + "a-real-production-key-7f3c9e1b5d", "ALLOWED_HOSTS": "o.example.cn",
            "STATIC_ROOT": str(tmp_path)}
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=settings.BASE_DIR,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for path in ["vendor/bootstrap/css/bootstrap.min.css", "vendor/survey-core/survey.core.min.js",
                 "vendor/survey-js-ui/survey-js-ui.min.js", "css/site.css"]:
        assert path in manifest and (tmp_path / manifest[path]).exists(), path
    assert not (tmp_path / "vendor/survey-core/fesm").exists()


def _deploy_check(**env_vars):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_BACKEND")}
    env |= {"DEBUG": "0", "SECRET_KEY": "z" * 20 + "a-real-production-key-7f3c9e1b5d", "ALLOWED_HOSTS": "o.example.cn"}
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=settings.BASE_DIR, env=env | env_vars, capture_output=True, text=True)


def test_production_counts_rate_limits_in_a_cache_every_worker_shares():
    result = _python("from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
                     DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="o.example.cn")
    assert result.stdout.strip() == "django.core.cache.backends.db.DatabaseCache", result.stderr


def test_check_deploy_warns_about_a_per_process_cache():
    result = _deploy_check(CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache")
    assert result.returncode != 0 and "outreach.W001" in result.stderr


def test_a_mistyped_trusted_proxy_stops_the_server_from_starting():
    result = _python("", TRUSTED_PROXIES="10.0.0.0/8,balancer.internal")
    assert result.returncode != 0 and "TRUSTED_PROXIES" in result.stderr


def test_pages_carry_the_content_security_policy_in_production_settings_too():
    result = _python("from django.conf import settings; print('csp.middleware.CSPMiddleware' in settings.MIDDLEWARE)",
                     DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="o.example.cn")
    assert result.stdout.strip() == "True", result.stderr
