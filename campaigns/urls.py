from django.urls import path

from . import views, views_editor, views_io

app_name = "campaigns"

urlpatterns = [
    path("", views.home, name="home"),
    path("my/", views.my_tasks, name="my_tasks"),
    path("campaigns/", views.campaign_list, name="list"),
    path("import/", views_io.new_campaign_import, name="import_new"),
    path("import/commit/", views_io.new_campaign_import_commit, name="import_new_commit"),
    path("import/refresh/", views_io.plan_import_refresh, name="import_new_refresh"),
    path("campaigns/<slug:code>/", views.plan, name="plan"),
    path("campaigns/<slug:code>/tasks/", views.task_list, name="task_list"),
    path("campaigns/<slug:code>/tasks/<int:number>/", views.task_detail, name="task"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    # plans in and out (views_io)
    path("campaigns/<slug:code>/import/", views_io.plan_import, name="import"),
    path("campaigns/<slug:code>/import/commit/", views_io.plan_import_commit, name="import_commit"),
    path("campaigns/<slug:code>/import/refresh/", views_io.plan_import_refresh, name="import_refresh"),
    path(
        "campaigns/<slug:code>/export/<str:what>.<str:fmt>",
        views_io.export,
        name="export",
    ),
    path("units/import/", views_io.units_import, name="units_import"),
]

urlpatterns += [
    path("my/dashboard/", views.unit_dashboard, name="unit_dashboard"),
    path("campaigns/<slug:code>/dashboard/", views.dashboard, name="dashboard"),
    path("assignments/<int:pk>/report/", views.report_progress, name="report"),
    path("assignments/<int:pk>/verify/", views.verify, name="verify"),
    path("assignments/<int:pk>/return/", views.return_for_rework, name="return"),
    path("assignments/<int:pk>/adjustments/", views.request_adjustment, name="request_adjustment"),
    path("adjustments/<int:pk>/decide/", views.decide_adjustment, name="decide_adjustment"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]

# the coordinator's plan editor, lifecycle, copying and unit accounts (views_editor)
urlpatterns += [
    path("new/", views_editor.campaign_new, name="campaign_new"),
    path("units/accounts/", views_editor.unit_accounts, name="unit_accounts"),
    path("units/accounts/<int:pk>/", views_editor.unit_account_change, name="unit_account_change"),
    path("campaigns/<slug:code>/edit/", views_editor.editor_page, name="editor"),
    path("campaigns/<slug:code>/edit/header/", views_editor.header_edit, name="editor_header"),
    path("campaigns/<slug:code>/edit/sections/", views_editor.section_add, name="editor_section_add"),
    path("campaigns/<slug:code>/edit/sections/<int:pk>/", views_editor.section_edit, name="editor_section"),
    path("campaigns/<slug:code>/edit/tasks/new/", views_editor.task_add, name="editor_task_add"),
    path("campaigns/<slug:code>/edit/tasks/<int:pk>/", views_editor.task_edit, name="editor_task"),
    path("campaigns/<slug:code>/edit/tasks/<int:pk>/change/", views_editor.task_change, name="editor_task_change"),
    path("campaigns/<slug:code>/edit/tasks/<int:pk>/complete/", views_editor.task_complete, name="task_complete"),
    path("campaigns/<slug:code>/edit/deadlines/", views_editor.deadlines, name="editor_deadlines"),
    path("campaigns/<slug:code>/copy/", views_editor.copy_plan, name="copy"),
    path("campaigns/<slug:code>/publish/", views_editor.lifecycle, {"action": "publish"}, name="publish"),
    path("campaigns/<slug:code>/close/", views_editor.lifecycle, {"action": "close"}, name="close"),
    path("campaigns/<slug:code>/reopen/", views_editor.lifecycle, {"action": "reopen"}, name="reopen"),
]
