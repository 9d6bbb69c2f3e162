"""Big plan imports on the job queue (plans over IMPORT_QUEUE_ROWS rows)."""
from jobs.registry import job_function

from .plan import StalePreview, build_preview, commit_preview
from .readers import ImportRefused, read_plan_file
from .stash import drop_stash, load_stash, stash_options


@job_function
def commit_import_job(job, code, token):
    """Commit a previewed plan import on the job queue.

    Same checks as the web commit: the stashed file is re-read and re-validated, and a plan
    changed since the preview refuses the commit (all or nothing) with a Chinese message.
    """
    from jobs.services import JobRefused

    from .. import access

    campaign = access.get_campaign_for_user(job.owner, code, coordinate=True, setup=True)
    job.progress(5, "正在读取已预览的文件")
    try:
        filename, data, fingerprint = load_stash(token, user=job.owner, scope=campaign.code)
        source = read_plan_file(filename, data, level=stash_options(token).get("level"))
    except ImportRefused as exc:
        raise JobRefused(str(exc)) from None
    job.progress(20, "正在核对")
    preview = build_preview(source, campaign)
    if preview.has_errors:
        raise JobRefused("文件中有错误，未导入任何内容，请重新导入并查看预览。")
    job.progress(40, f"正在写入 {len(preview.rows)} 行")
    try:
        commit_preview(preview, user=job.owner, expected_fingerprint=fingerprint)
    except StalePreview:
        raise JobRefused("预览之后方案已被修改，未导入任何内容，请重新导入并查看预览。") from None
    drop_stash(token)
    counts = preview.counts
    return f"已导入 {filename}：新增 {counts['新增']} 项，变更 {counts['变更']} 项，不变 {counts['不变']} 项。"
