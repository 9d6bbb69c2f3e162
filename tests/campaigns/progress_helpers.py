"""Helpers for the progress, evidence and adjustment tests: valid form data and real files."""
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from campaigns.models import AdjustmentRequest, Assignment, Evidence, ProgressReport
from tests.factories import pdf_bytes


def report_data(assignment, **overrides):
    """The progress form as a browser posts it, for the version the user saw."""
    assignment.refresh_from_db()
    data = {
        "version": assignment.version,
        "token": uuid.uuid4().hex,
        "text": "在海湖新区举办知识产权政策宣讲会一场。",
        "percent": 40,
        "status": "in_progress",
        "events_held": 1,
        "participants": 60,
        "enterprises_served": 12,
        "consultations": 8,
        "materials_distributed": 0,
    }
    data.update(overrides)
    return data


def png_bytes(size=(40, 30), colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


PDF_BYTES = pdf_bytes()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo(name="现场照片.png"):
    return upload(name, png_bytes(), "image/png")


def pdf(name="签到表.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")


def counts():
    """Rows that a refused request must leave as they were."""
    return (
        ProgressReport.objects.count(),
        Evidence.objects.count(),
        AdjustmentRequest.objects.count(),
        list(Assignment.objects.order_by("pk").values_list("pk", "status", "percent", "version")),
    )


def stored_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file())
