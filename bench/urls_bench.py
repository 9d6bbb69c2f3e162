"""The site's URLs plus a bare view: the baseline benchmarks compare pages against."""
import json

from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


def bare(request):
    return HttpResponse("ok")


@require_POST
def bare_post(request):
    """The floor for survey submits: parses the same JSON body, touches no database."""
    json.loads(request.body)
    return JsonResponse({"ok": True})


@require_POST
def bare_insert(request, survey_id, version_id):
    """A second floor: parse the JSON and store it as one row, with no validation or checks."""
    from surveys.models import Response

    answers = json.loads(request.body)["answers"]
    Response.objects.create(survey_id=survey_id, version_id=version_id, answers=answers, status="submitted")
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-post/", bare_post),
    path("bench/bare-insert/<int:survey_id>/<int:version_id>/", bare_insert),
    path("", include("config.urls")),
]
