"""Notification work on the task queue."""
from django_tasks import task

from . import services


@task()
def deliver_task(delivery_ids):
    """Send these deliveries (each PENDING or due for retry); returns how many were accepted."""
    results = services.deliver_many(delivery_ids)
    return sum(1 for d in results if d is not None and d.status == d.Status.SENT)
