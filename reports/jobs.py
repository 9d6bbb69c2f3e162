"""The report compile as a job on the queue (the page shows progress, then the download)."""
from campaigns import access
from jobs.registry import job_function


@job_function
def compile_report_job(job, code, fmt="pdf", variant=None):
    """Collect and render the summary (PDF, .docx or the xlsx annex) for the job's owner,
    in the same scope as the download view."""
    from .compiled import FORMATS, compiled_for, rendered

    job.progress(10, "正在汇总数据")
    _, data = compiled_for(job.owner, access.get_campaign_for_user(job.owner, code), variant=variant)
    job.progress(60, FORMATS[fmt][3].replace("生成", "正在生成"))
    job.save_result(*rendered(data, fmt))
    return "总结报告已生成"
