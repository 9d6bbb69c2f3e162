from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.home, name="home"),
    path("my/", views.my_tasks, name="my_tasks"),
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/<slug:code>/", views.plan, name="plan"),
    path("campaigns/<slug:code>/tasks/", views.task_list, name="task_list"),
    path("campaigns/<slug:code>/tasks/<int:number>/", views.task_detail, name="task"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
]
