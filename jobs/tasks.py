"""Tasks on the django-tasks queue (database backend by default, RQ in production)."""
from django_tasks import task

from . import services


@task()
def run_job(job_id):
    """Run the Job with this id (see services.run)."""
    return services.run(job_id)
