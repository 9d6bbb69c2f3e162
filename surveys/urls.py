from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/settings/", views.survey_settings, name="settings"),
    path("<int:pk>/questionnaire/", views.survey_questionnaire, name="questionnaire"),
    path("<int:pk>/copy/", views.survey_copy, name="copy"),
    path("<int:pk>/invite/", views.survey_invite, name="invite"),
    path("<int:pk>/results/", views.survey_results, name="results"),
    path("<int:pk>/export.<str:fmt>", views.survey_export, name="export"),
    path("<int:pk>/responses/<int:rid>/document.<str:fmt>", views.response_document, name="response_document"),
    path("<int:pk>/responses/<int:rid>/reopen/", views.response_reopen, name="response_reopen"),
    # Respondents: no login, the unguessable token is the key to exactly one form.
    path("r/<str:token>/", views.respond, name="respond"),
    path("r/<str:token>/save/", views.respond_save, name="respond_save"),
    path("r/<str:token>/submit/", views.respond_submit, name="respond_submit"),
    path("o/<str:token>/", views.open_link, name="open_link"),
    path("o/<str:token>/submit/", views.open_submit, name="open_submit"),
]
