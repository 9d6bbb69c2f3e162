"""The pending-upload stash: an uploaded file kept between its preview and its commit.

Files sit in the default storage (django.core.files.storage.default_storage) under
imports-pending/ with random names, never on one server's local disk: with a shared
storage (S3, a shared volume) server B commits an import previewed on server A. A token
signed with SECRET_KEY names the file and binds it to the user, the scope (campaign code,
new campaign, or the unit directory), the file's digest, the preview's fingerprint and
the reading options the coordinator chose (the task level).
"""

import hashlib
import re
from datetime import timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from ..intake import FileRefused as ImportRefused

PENDING_MAX_AGE = 3600
PENDING_DIR = "imports-pending"
_SALT = "campaigns.importing"
_NAME = re.compile(r"[0-9a-f]{32}")


def _path(name):
    return f"{PENDING_DIR}/{name}"


def clean_expired_stash(now=None):
    """Delete pending files older than PENDING_MAX_AGE (leftovers of abandoned previews);
    returns how many were deleted. Works on any storage that lists and dates its files."""
    cutoff = (now or timezone.now()) - timedelta(seconds=PENDING_MAX_AGE)
    try:
        _, files = default_storage.listdir(PENDING_DIR)
    except (FileNotFoundError, NotImplementedError):
        return 0
    deleted = 0
    for name in files:
        if not _NAME.fullmatch(name):
            continue
        try:
            modified = default_storage.get_modified_time(_path(name))
        except (FileNotFoundError, NotImplementedError):
            continue
        if modified < cutoff:
            default_storage.delete(_path(name))
            deleted += 1
    return deleted


def stash_upload(data, filename, *, user, scope, fingerprint, options=None):
    """Keep an uploaded file between preview and commit; returns a signed token naming it.

    The file goes to the default storage under imports-pending/ with a random name; the
    token (signed with SECRET_KEY, valid for PENDING_MAX_AGE seconds) binds it to the user,
    the scope (campaign code) and the file's digest, and carries the preview's fingerprint.
    Expired pending files are deleted on the way.
    """
    import secrets

    clean_expired_stash()
    name = secrets.token_hex(16)
    saved = default_storage.save(_path(name), ContentFile(data))
    if saved != _path(name):  # a storage that renamed it: keep the name it chose, if it fits
        name = saved.rsplit("/", 1)[-1]
    payload = {
        "f": name,
        "n": filename,
        "u": user.pk,
        "s": scope,
        "h": hashlib.sha256(data).hexdigest(),
        "p": fingerprint,
        "o": options or {},
    }
    return signing.dumps(payload, salt=_SALT)


def _payload(token):
    try:
        return signing.loads(token or "", salt=_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return None


def load_stash(token, *, user, scope):
    """(filename, data, fingerprint) of a stashed upload, or ImportRefused if the token is
    bad, expired, someone else's, for another scope, or its file is gone or altered."""
    payload = _payload(token)
    if payload is None:
        raise ImportRefused("预览已过期或无效，请重新上传文件。")
    if payload.get("u") != user.pk or payload.get("s") != scope or not _NAME.fullmatch(payload.get("f", "")):
        raise ImportRefused("预览已过期或无效，请重新上传文件。")
    try:
        with default_storage.open(_path(payload["f"]), "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise ImportRefused("预览已过期或已提交，请重新上传文件。") from None
    if hashlib.sha256(data).hexdigest() != payload["h"]:
        raise ImportRefused("预览已过期或无效，请重新上传文件。")
    return payload["n"], data, payload["p"]


def drop_stash(token):
    """Delete a stashed upload (after its commit, or when the coordinator cancels)."""
    payload = _payload(token)
    if payload and _NAME.fullmatch(payload.get("f", "")):
        default_storage.delete(_path(payload["f"]))


def stash_options(token):
    """The reading options stored with a stashed upload (call after load_stash accepted the token)."""
    payload = _payload(token)
    return (payload or {}).get("o") or {}
