"""The report compile as a job on the queue (the page shows progress, then the download)."""
from campaigns import access
from jobs.registry import job_function


@job_function
def compile_report_job(job, code):
    """Collect and render the summary PDF for the job's owner (same scope as the download view)."""
    from .views import _compiled_for, _file_stem

    job.progress(10, "正在汇总数据")
    campaign, data = _compiled_for(job.owner, access.get_campaign_for_user(job.owner, code))
    job.progress(60, "正在生成 PDF")
    from .pdf import render_pdf

    job.save_result(f"{_file_stem(data)}.pdf", render_pdf(data))
    return "总结报告已生成"
