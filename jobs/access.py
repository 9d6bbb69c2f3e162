"""Who may see a job: the person who started it, and administrators."""
from django.http import Http404

from .models import Job


def visible_jobs(user):
    if not user.is_authenticated:
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    return Job.objects.filter(owner=user)


def get_job_for_user(user, pk):
    try:
        return visible_jobs(user).get(pk=pk)
    except (Job.DoesNotExist, ValueError):
        raise Http404("没有找到该后台任务") from None
