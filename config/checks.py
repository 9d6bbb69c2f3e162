"""Deployment checks of the project's own (run by `manage.py check --deploy`)."""
from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Rate limits live in the default cache: one per process would multiply them by the workers."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PER_PROCESS_CACHES:
        return [checks.Warning(
            f"The default cache ({backend}) is not shared between processes: open-link rate limits "
            "would count per worker.",
            hint="Set CACHE_BACKEND to the database cache (and run createcachetable), memcached or Redis.",
            id="outreach.W001",
        )]
    return []
