"""Uploaded files past GONGXIN_UPLOAD_MAX_BYTES, refused while they arrive.

Django limits a form's fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files. This handler,
first in FILE_UPLOAD_HANDLERS, counts each file's bytes: past the limit the later handlers
receive no more of it, and the form gets an ``OversizeUpload`` that only knows its name and
size, which ``upload_size`` (a form field validator) refuses in Chinese with the other problems
of the form. A body whose declared length could not hold anything acceptable is refused before
it is read (a 400 page saying the limit).

Uploaded files hold personal data. Django spools a large one to a temporary file in
FILE_UPLOAD_TEMP_DIR, which is settings.UPLOAD_DIR (GONGXIN_HOME/uploads, owned by Gongxin), and
forms copy a file there to parse it; both are removed when the request ends. A process that
crashes leaves them behind, so every process sweeps the directory when it starts
(``sweep_leftovers``, from the platform app's ready()).
"""

from __future__ import annotations

import io
import logging
import os
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from gongxin.platform.limits import split_advice

# An upload in progress in another process is written to (or read from, when it is parsed) for
# seconds; a file untouched for this long belongs to a request that ended without removing it.
LEFTOVER_SECONDS = 10 * 60
log = logging.getLogger(__name__)


class UploadTooLarge(RequestDataTooBig):
    """The request declares more bytes than any acceptable upload has."""


def upload_max() -> int:
    return settings.GONGXIN_UPLOAD_MAX_BYTES


def megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f}".removesuffix(".0")


class OversizeUpload(UploadedFile):
    """A file refused for its size: no content, only the name and the bytes that arrived."""

    def __init__(self, name: str, size: int):
        super().__init__(io.BytesIO(b""), name, "application/octet-stream", size)


class LimitedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > upload_max() + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise UploadTooLarge(f"declared {content_length} bytes")

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        return None if self.received > upload_max() else raw_data

    def file_complete(self, file_size):
        if self.received > upload_max():
            return OversizeUpload(self.file_name, self.received)
        return None


def upload_size(upload) -> None:
    """Form field validator: the file is within GONGXIN_UPLOAD_MAX_BYTES."""
    if upload is not None and upload.size > upload_max():
        most = megabytes(upload_max())
        raise ValidationError(
            f"文件大小超过每个文件 {most} MB 的上限，未读取。{split_advice()}",
            code="too_large",
        )


def sweep_leftovers(directory=None, *, older_than: float = LEFTOVER_SECONDS) -> int:
    """Remove upload files left by a process that stopped: every file in the upload directory
    not modified for ``older_than`` seconds. Another process's upload in progress is younger
    and is kept. Creates the directory (owner only) if the home exists. Returns how many."""
    directory = settings.UPLOAD_DIR if directory is None else directory
    if not directory.exists():
        if directory.parent.is_dir():
            directory.mkdir(mode=0o700, exist_ok=True)
        return 0
    cutoff = time.time() - older_than  # wall clock: file times are the machine's
    removed = 0
    with os.scandir(directory) as found:
        for entry in found:
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:  # its own process removed it meanwhile
                continue
    if removed:
        log.warning("removed %d upload file(s) left by a stopped process", removed)
    return removed
