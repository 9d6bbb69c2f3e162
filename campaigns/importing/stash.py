"""The pending-upload stash: an uploaded file kept between its preview and its commit.

Files sit under MEDIA_ROOT/imports-pending with random names; a token signed with
SECRET_KEY names the file and binds it to the user, the scope (campaign code, new
campaign, or the unit directory), the file's digest, the preview's fingerprint and the
reading options the coordinator chose (the task level).
"""

import hashlib
import re

from django.conf import settings

from ..intake import FileRefused as ImportRefused

PENDING_MAX_AGE = 3600
def _pending_dir():
    from pathlib import Path

    path = Path(settings.MEDIA_ROOT) / "imports-pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_upload(data, filename, *, user, scope, fingerprint, options=None):
    """Keep an uploaded file between preview and commit; returns a signed token naming it.

    The file sits under MEDIA_ROOT/imports-pending with a random name; the token (signed
    with SECRET_KEY, valid for PENDING_MAX_AGE seconds) binds it to the user, the scope
    (campaign code) and the file's digest, and carries the preview's fingerprint.
    """
    import secrets
    import time

    from django.core import signing

    directory = _pending_dir()
    cutoff = time.time() - PENDING_MAX_AGE
    for old in directory.iterdir():  # leftovers of abandoned previews
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    name = secrets.token_hex(16)
    (directory / name).write_bytes(data)
    payload = {
        "f": name,
        "n": filename,
        "u": user.pk,
        "s": scope,
        "h": hashlib.sha256(data).hexdigest(),
        "p": fingerprint,
        "o": options or {},
    }
    return signing.dumps(payload, salt="campaigns.importing")


def load_stash(token, *, user, scope):
    """(filename, data, fingerprint) of a stashed upload, or ImportRefused if the token is
    bad, expired, someone else's, for another scope, or its file is gone or altered."""
    from django.core import signing

    try:
        payload = signing.loads(token or "", salt="campaigns.importing", max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        raise ImportRefused("预览已过期或无效，请重新上传文件。") from None
    if payload.get("u") != user.pk or payload.get("s") != scope or not re.fullmatch(r"[0-9a-f]{32}", payload.get("f", "")):
        raise ImportRefused("预览已过期或无效，请重新上传文件。")
    path = _pending_dir() / payload["f"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportRefused("预览已过期或已提交，请重新上传文件。") from None
    if hashlib.sha256(data).hexdigest() != payload["h"]:
        raise ImportRefused("预览已过期或无效，请重新上传文件。")
    return payload["n"], data, payload["p"]


def drop_stash(token):
    from django.core import signing

    try:
        payload = signing.loads(token, salt="campaigns.importing", max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return
    if re.fullmatch(r"[0-9a-f]{32}", payload.get("f", "")):
        (_pending_dir() / payload["f"]).unlink(missing_ok=True)




def stash_options(token):
    """The reading options stored with a stashed upload (call after load_stash accepted the token)."""
    from django.core import signing

    try:
        return signing.loads(token or "", salt="campaigns.importing", max_age=PENDING_MAX_AGE).get("o") or {}
    except signing.BadSignature:
        return {}
