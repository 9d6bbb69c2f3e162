"""Plans in and out: import (preview, then commit) and exports. Thin: the work is in importing/exporting."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from jobs.services import start_job

from . import access, exporting, importing
from .directory import DirectoryRefused, apply_directory_fixes
from .intake import check_size
from .models import Campaign, Region, Unit


class PlanImportForm(forms.Form):
    file = forms.FileField(label="文件（.xlsx、.csv、.txt、.docx、.pdf）", required=False)
    text = forms.CharField(label="或粘贴方案全文", required=False, widget=forms.Textarea(attrs={"rows": 8}))

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError("请选择文件，或粘贴方案全文。")
        return data


class UnitImportForm(forms.Form):
    file = forms.FileField(label="单位目录表格（.xlsx、.csv）")


PASTED_NAME = "粘贴的方案.txt"
LEVELS = {"part", "section", "item", "subitem", "circled", "para"}


def _read_upload(upload):
    """The upload's bytes, refusing an oversized file before reading it."""
    check_size(None, upload.size)
    return upload.read()


def _read_source(form):
    """(filename, bytes) of the form's uploaded file or pasted text."""
    upload = form.cleaned_data.get("file")
    if upload:
        return upload.name, _read_upload(upload)
    return PASTED_NAME, form.cleaned_data["text"].encode("utf-8")


def _target(request, code=None):
    """(campaign or None, new-campaign details or None, stash scope) for the preview's target.
    For a new campaign the code and unit come from the POST and the unit must be startable."""
    if code is not None:
        campaign = access.get_campaign_for_user(request.user, code, coordinate=True)
        return campaign, None, campaign.code
    new_code = request.POST.get("code", "")
    unit = access.startable_units(request.user).filter(pk=request.POST.get("unit") or 0).first()
    if unit is None:
        raise PermissionDenied("只有协调人可以新建活动方案")
    return None, {"code": new_code, "unit": unit}, _new_scope(new_code, unit)


def _preview(request, campaign, new, scope, filename, data, *, options=None, stale=False):
    """Read `data`, build the preview, stash the file (also when the preview has errors, so the
    directory can be fixed from it) and render the preview page."""
    options = options or {}
    source = importing.read_plan_file(filename, data, level=options.get("level"))
    if new is None:
        preview = importing.build_preview(source, campaign)
    else:
        preview = importing.build_preview(source, None, new_code=new["code"], coordinating_unit=new["unit"])
    token = importing.stash_upload(
        data, filename, user=request.user, scope=scope, fingerprint=preview.fingerprint, options=options
    )
    unknown_shown = preview.unknown_units[:200]
    context = {
        "campaign": campaign,
        "new": {**preview.campaign_values, "code": new["code"], "unit": new["unit"]} if new else None,
        "preview": preview,
        "rows": [r for r in preview.rows if r.status != importing.UNCHANGED][:1000],
        "token": token,
        "stale": stale,
        "unknown_units": unknown_shown,
        "can_fix": access.can_fix_directory(request.user, campaign) and bool(unknown_shown),
        "unit_kinds": Unit.Kind.choices,
        "regions": Region.objects.order_by("ordinal", "name") if unknown_shown else [],
        "known_units": Unit.objects.order_by("name").values_list("name", flat=True) if unknown_shown else [],
    }
    return render(request, "campaigns/import_preview.html", context, status=422 if preview.has_errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request, code):
    """Upload a spreadsheet or a plan's text (or paste it) and see what the import would do."""
    campaign = access.get_campaign_for_user(request.user, code, coordinate=True)
    form = PlanImportForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            filename, data = _read_source(form)
            return _preview(request, campaign, None, campaign.code, filename, data)
        except importing.ImportRefused as exc:
            error = str(exc)
    return render(
        request,
        "campaigns/import_start.html",
        {"campaign": campaign, "form": form, "error": error, "limits": _limits()},
        status=400 if error else 200,
    )


@login_required
@require_POST
def plan_import_commit(request, code):
    """Commit a previewed import: re-read the stashed file, re-validate, write all or nothing.
    Refused on a closed campaign (read-only)."""
    campaign = access.get_campaign_for_user(request.user, code, coordinate=True, setup=True)
    token = request.POST.get("token", "")
    try:
        filename, data, fingerprint = importing.load_stash(token, user=request.user, scope=campaign.code)
        options = importing.stash_options(token)
        source = importing.read_plan_file(filename, data, level=options.get("level"))
    except importing.ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("campaigns:import", code=campaign.code)
    preview = importing.build_preview(source, campaign)
    if preview.has_errors:
        importing.drop_stash(token)
        return _preview(request, campaign, None, campaign.code, filename, data, options=options)
    if len(preview.rows) > settings.IMPORT_QUEUE_ROWS:
        # A big plan is written by the job queue; the job page shows progress and the outcome.
        job = start_job("campaigns.importing.jobs.commit_import_job", title=f"导入方案（{campaign.title}）",
                        owner=request.user, code=campaign.code, token=token)
        return redirect("jobs:detail", pk=job.pk)
    try:
        importing.commit_preview(preview, user=request.user, expected_fingerprint=fingerprint)
    except (importing.StalePreview, IntegrityError):
        # Changed since the preview (or by a concurrent commit): show the plan as it is now.
        importing.drop_stash(token)
        return _preview(request, campaign, None, campaign.code, filename, data, options=options, stale=True)
    importing.drop_stash(token)
    counts = preview.counts
    messages.success(
        request,
        f"已导入 {preview.source.filename}：新增 {counts['新增']} 项，变更 {counts['变更']} 项，不变 {counts['不变']} 项。",
    )
    return redirect("campaigns:plan", code=campaign.code)


def _directory_fixes(post):
    """[(name, "map", unit) | (name, "create", kind, region)] from the preview's fix form; names
    left as "暂不处理" are skipped. DirectoryRefused for a unit or region that does not exist."""
    fixes = []
    names = post.getlist("unknown")[:200]
    targets = [post.get(f"target-{i}", "").strip() for i in range(len(names))]
    units = {u.name: u for u in Unit.objects.filter(name__in=targets)}
    regions = {str(r.pk): r for r in Region.objects.all()}
    for index, name in enumerate(names):
        action = post.get(f"action-{index}", "")
        if action == "map":
            target = post.get(f"target-{index}", "").strip()
            if target not in units:
                raise DirectoryRefused(f"“{name}”：找不到单位“{target}”，请从列表中选择已有单位。")
            fixes.append((name, "map", units[target]))
        elif action == "create":
            region = post.get(f"region-{index}", "")
            if region and region not in regions:
                raise DirectoryRefused(f"“{name}”：地区无效。")
            fixes.append((name, "create", post.get(f"kind-{index}", ""), regions.get(region)))
    return fixes


@login_required
@require_POST
def plan_import_refresh(request, code=None):
    """Fix the directory from the preview (map unknown names to units as aliases, or create the
    units) and/or pick the task level, then show the preview again. Coordinators and
    administrators only (access.can_fix_directory); a refused fix writes nothing."""
    campaign, new, scope = _target(request, code)
    back = redirect("campaigns:import", code=campaign.code) if campaign else redirect("campaigns:import_new")
    token = request.POST.get("token", "")
    try:
        filename, data, _ = importing.load_stash(token, user=request.user, scope=scope)
    except importing.ImportRefused as exc:
        messages.error(request, str(exc))
        return back
    options = importing.stash_options(token)
    if request.POST.get("level") in LEVELS:
        options = {**options, "level": request.POST["level"]}
    if request.POST.getlist("unknown"):
        if not access.can_fix_directory(request.user, campaign):
            raise PermissionDenied("只有协调人和管理员可以修改单位目录")
        try:
            done = apply_directory_fixes(_directory_fixes(request.POST))
        except DirectoryRefused as exc:
            messages.error(request, f"{exc}单位目录未作任何修改。")
        else:
            if done:
                messages.success(request, f"已更新单位目录：{done} 个名称。")
    importing.drop_stash(token)
    try:
        return _preview(request, campaign, new, scope, filename, data, options=options)
    except importing.ImportRefused as exc:
        messages.error(request, str(exc))
        return back


def _limits():
    return {
        "max_bytes": importing.limit("MAX_BYTES"),
        "max_rows": importing.limit("MAX_ROWS"),
    }


@login_required
def export(request, code, what, fmt):
    """Download the campaign's tasks, assignments or progress reports (xlsx or csv), limited to
    what the user may see: csv streamed as it is read, xlsx from a temporary file, big ones as a job."""
    if what not in exporting.EXPORTS or fmt not in ("xlsx", "csv"):
        raise Http404("没有这种导出")
    campaign = access.get_campaign_for_user(request.user, code)
    if what == "tasks" and not access.can_oversee(request.user, campaign):
        raise PermissionDenied("只有本活动的协调单位可以导出任务总表")
    if exporting.export_row_count(request.user, campaign, what) > settings.EXPORT_QUEUE_ROWS:
        # Too big for a request: the job queue writes it, the job page shows progress and the download.
        job = start_job("campaigns.exporting.export_job", title=f"导出{exporting.EXPORTS[what][0]}（{campaign.title}）",
                        owner=request.user, code=code, what=what, fmt=fmt)
        return redirect("jobs:detail", pk=job.pk)
    filename = exporting.export_filename(campaign, what, fmt)
    if fmt == "csv":
        # Rows are read and sent as the client downloads them.
        response = StreamingHttpResponse(exporting.csv_stream(request.user, campaign, what),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    return FileResponse(exporting.export_tempfile(request.user, campaign, what, fmt), as_attachment=True,
                        filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
@require_http_methods(["GET", "POST"])
def units_import(request):
    """The directory from a spreadsheet (administrators only): preview, then commit."""
    if not request.user.is_superuser:
        raise PermissionDenied("只有管理员可以导入单位目录")
    scope = "units"
    if request.method == "POST" and "token" in request.POST:
        try:
            filename, data, _ = importing.load_stash(request.POST["token"], user=request.user, scope=scope)
            dataset = importing.read_units_file(filename, data)
            rows = importing.import_units(dataset)
        except importing.ImportRefused as exc:
            messages.error(request, str(exc))
            return redirect("campaigns:units_import")
        except ValueError:
            messages.error(request, "单位目录有错误，未导入任何内容，请重新上传核对。")
            return redirect("campaigns:units_import")
        importing.drop_stash(request.POST["token"])
        new = sum(r.status == importing.NEW for r in rows)
        changed = sum(r.status == importing.CHANGED for r in rows)
        messages.success(request, f"已导入单位目录：新增 {new} 个，变更 {changed} 个。")
        return redirect("campaigns:units_import")
    form = UnitImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "limits": _limits()}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = _read_upload(upload)
            dataset = importing.read_units_file(upload.name, data)
        except importing.ImportRefused as exc:
            context["error"] = str(exc)
            return render(request, "campaigns/import_units.html", context, status=400)
        rows = importing.preview_units(dataset)
        has_errors = any(r.status == importing.ERROR for r in rows)
        context.update(rows=rows, has_errors=has_errors, filename=upload.name)
        if not has_errors:
            context["token"] = importing.stash_upload(data, upload.name, user=request.user, scope=scope, fingerprint="")
        return render(request, "campaigns/import_units.html", context, status=422 if has_errors else 200)
    return render(request, "campaigns/import_units.html", context)


class NewCampaignImportForm(PlanImportForm):
    code = forms.SlugField(label="活动方案代码", max_length=50, help_text="字母、数字和连字符，如 qinghai-2025")
    coordinating_unit = forms.ModelChoiceField(label="协调单位", queryset=None, empty_label=None)
    field_order = ["code", "coordinating_unit", "file", "text"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinating_unit"].queryset = access.startable_units(user).order_by("ordinal", "name")
        self.fields["coordinating_unit"].widget.attrs["class"] = "form-select"

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Campaign.objects.filter(code=code).exists():
            raise forms.ValidationError("该代码已被其他活动方案使用。")
        return code


def _new_scope(code, unit):
    return f"new:{code}:{unit.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def new_campaign_import(request):
    """A new campaign (draft) from a plan or a spreadsheet: preview first, like any import."""
    if not access.startable_units(request.user).exists():
        raise PermissionDenied("只有协调人可以新建活动方案")
    form = NewCampaignImportForm(request.POST or None, request.FILES or None, user=request.user)
    error = None
    if request.method == "POST" and form.is_valid():
        code, unit = form.cleaned_data["code"], form.cleaned_data["coordinating_unit"]
        try:
            filename, data = _read_source(form)
            return _preview(request, None, {"code": code, "unit": unit}, _new_scope(code, unit), filename, data)
        except importing.ImportRefused as exc:
            error = str(exc)
    return render(
        request,
        "campaigns/import_new.html",
        {"form": form, "error": error, "limits": _limits()},
        status=400 if error else 200,
    )


@login_required
@require_POST
def new_campaign_import_commit(request):
    """Create the previewed campaign and its plan, all or nothing."""
    _, new, scope = _target(request)
    code, unit = new["code"], new["unit"]
    token = request.POST.get("token", "")
    try:
        filename, data, fingerprint = importing.load_stash(token, user=request.user, scope=scope)
        options = importing.stash_options(token)
        source = importing.read_plan_file(filename, data, level=options.get("level"))
        if Campaign.objects.filter(code=code).exists():
            raise importing.ImportRefused("该代码已被其他活动方案使用，请重新上传。")
    except importing.ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("campaigns:import_new")
    preview = importing.build_preview(source, None, new_code=code, coordinating_unit=unit)
    if preview.has_errors:
        importing.drop_stash(token)
        return _preview(request, None, new, scope, filename, data, options=options)
    try:
        campaign = importing.commit_preview(preview, user=request.user, expected_fingerprint=fingerprint)
    except (importing.StalePreview, IntegrityError):
        importing.drop_stash(token)
        return _preview(request, None, new, scope, filename, data, options=options, stale=True)
    importing.drop_stash(token)
    messages.success(request, f"已新建活动方案（草稿）并导入 {preview.count(importing.NEW)} 项任务，可在此修改后发布。")
    return redirect("campaigns:editor", code=campaign.code)
