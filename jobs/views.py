from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from .access import get_job_for_user, visible_jobs


def job_state(job):
    """What the status page shows and polls."""
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "percent": job.percent,
        "message": job.message,
        "error": job.error.splitlines()[0] if job.error else "",
        "finished": job.is_finished,
        "download": reverse("jobs:download", args=[job.pk]) if job.result_file else "",
        "result_name": job.result_name,
    }


@login_required
def job_list(request):
    jobs = visible_jobs(request.user).select_related("owner")[:50]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    """A job's progress; static/jobs/job.js polls the status until it is done."""
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/job_detail.html", {
        "job": job, "state": job_state(job), "status_url": reverse("jobs:status", args=[job.pk]),
    })


@login_required
def job_status(request, pk):
    response = JsonResponse(job_state(get_job_for_user(request.user, pk)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def job_download(request, pk):
    """The job's result file, as a download, to whoever may see the job."""
    job = get_job_for_user(request.user, pk)
    if not job.result_file:
        raise Http404("该后台任务没有可下载的结果")
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError:
        raise Http404("结果文件已不存在") from None
    response = FileResponse(handle, as_attachment=True, filename=job.result_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response
