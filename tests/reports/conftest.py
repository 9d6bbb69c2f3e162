import re
import shutil
import subprocess

import pytest


def pdf_text(path, raw=True):
    """The PDF's text as pdftotext reads it back (content order with -raw)."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-raw"] if raw else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def squash(text):
    """Text without any whitespace, so wrapped table cells read as one string."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def need_poppler():
    # Never a skip: `make test` installs poppler (scripts/system-packages.sh), so a machine
    # without it is a broken setup, and the PDF escaping tests must not pass silently there.
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        pytest.fail("poppler-utils (pdftotext, pdfinfo) is not installed: run scripts/system-packages.sh (make test does)")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
