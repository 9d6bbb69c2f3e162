"""Production's shared state: with REDIS_URL the cache is Django's Redis backend, and the
rate limits and login lockouts use it; without it, local memory stays the default."""
import json
import os
import subprocess
import sys

from django.conf import settings

SHOW = ("from django.conf import settings as s; import json; print(json.dumps({'cache': s.CACHES['default'], "
        "'axes': getattr(s, 'AXES_HANDLER', ''), 'tasks': s.TASKS['default']['BACKEND'], "
        "'rq': s.RQ_QUEUES['default']['URL']}))")


def settings_with(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TASKS_BACKEND", "CACHE_BACKEND")}
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", SHOW], cwd=settings.BASE_DIR,
                            env=base | env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_redis_url_makes_the_cache_and_lockouts_shared_and_can_carry_the_queue():
    shown = settings_with(REDIS_URL="redis://redis.internal:6379/2", TASKS_BACKEND="rq")
    assert shown["cache"] == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": "redis://redis.internal:6379/2"}
    assert shown["axes"] == "axes.handlers.cache.AxesCacheHandler"
    assert shown["tasks"] == "django_tasks_rq.RQBackend" and shown["rq"] == "redis://redis.internal:6379/2"


def test_the_embedded_default_needs_no_service():
    shown = settings_with()
    assert shown["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert shown["axes"] != "axes.handlers.cache.AxesCacheHandler"  # lockouts in the database
    assert shown["tasks"] == "django_tasks_db.DatabaseBackend"


def test_the_rq_queue_without_redis_is_refused_at_start():
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR,
                            env=base | {"TASKS_BACKEND": "rq"}, capture_output=True, text=True)
    assert result.returncode != 0 and "REDIS_URL" in result.stderr
