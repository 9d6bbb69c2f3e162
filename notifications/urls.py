from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("settings/", views.preferences, name="preferences"),
    path("units/<int:unit_id>/", views.unit_record, name="unit"),
    path("units/<int:unit_id>/robots/", views.robot_add, name="robot_add"),
    path("units/<int:unit_id>/robots/<int:pk>/delete/", views.robot_remove, name="robot_remove"),
    path("campaigns/<slug:code>/chase/<slug:source>/", views.chase_up, name="chase"),
]
