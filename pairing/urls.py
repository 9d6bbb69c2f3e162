from django.urls import path

from . import views

app_name = "pairing"

urlpatterns = [
    path("", views.index, name="index"),
    path("p/<int:pk>/", views.pairing_detail, name="pairing"),
    path("p/<int:pk>/accept/", views.pairing_accept, name="accept"),
    path("p/<int:pk>/reject/", views.pairing_reject, name="reject"),
    path("p/<int:pk>/change/", views.pairing_change, name="change"),
    path("p/<int:pk>/edit/", views.pairing_edit, name="edit"),
    path("p/<int:pk>/agreement/", views.pairing_agreement, name="agreement"),
    path("p/<int:pk>/log/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/confirm/", views.activity_confirm, name="activity_confirm"),
    path("activities/<int:pk>/evidence/", views.activity_evidence, name="activity_evidence"),
    path("<slug:code>/", views.board, name="board"),
    path("<slug:code>/suggest/", views.suggest, name="suggest"),
    path("<slug:code>/pair/", views.pairing_new, name="pairing_new"),
    path("<slug:code>/accept-all/", views.accept_all, name="accept_all"),
    path("<slug:code>/needs/", views.needs, name="needs"),
    path("<slug:code>/needs/<int:unit_id>/", views.need_edit, name="need_edit"),
    path("<slug:code>/profiles/", views.profiles, name="profiles"),
    path("<slug:code>/profiles/<int:unit_id>/", views.profile_edit, name="profile_edit"),
]
