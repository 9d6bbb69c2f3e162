import os
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
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        if os.environ.get("REQUIRE_SYSTEM_PACKAGES") == "1":  # CI installs them: never skip there
            pytest.fail("poppler-utils (pdftotext, pdfinfo) is not installed")
        pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed: `make test` installs it where it can")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
