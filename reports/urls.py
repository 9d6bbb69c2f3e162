from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<slug:code>/", views.campaign_report, name="campaign"),
    path("<slug:code>/summary.pdf", views.report_pdf, name="pdf"),
    path("<slug:code>/summary.docx", views.report_docx, name="docx"),
    path("<slug:code>/summary-job/", views.report_pdf_job, name="pdf_job"),
    path("<slug:code>/annex.xlsx", views.report_xlsx, name="xlsx"),
    path("<slug:code>/settings/", views.compile_settings, name="settings"),
    path("<slug:code>/bulletins/", views.issue_bulletin, name="bulletin_issue"),
    path("<slug:code>/bulletins/<int:number>.pdf", views.bulletin_pdf, name="bulletin_pdf"),
    path("<slug:code>/bulletins/<int:number>.docx", views.bulletin_docx, name="bulletin_docx"),
    path("<slug:code>/units/<int:unit_id>/summary/", views.submit_summary, name="submit_summary"),
    path("<slug:code>/units/<int:unit_id>/cases/new/", views.submit_case, name="submit_case"),
    path("<slug:code>/cases/<int:pk>/", views.case_detail, name="case"),
    path("<slug:code>/cases/<int:pk>/recommend/", views.recommend_case, name="recommend"),
    path("<slug:code>/summaries/<int:pk>/document/", views.summary_document, name="summary_document"),
    path("<slug:code>/photos/<int:pk>/", views.case_photo, name="photo"),
]
