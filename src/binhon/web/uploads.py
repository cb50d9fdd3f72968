"""Photos sent with a price declaration (price board, receipt): checked, then stored by content hash.

Only JPEG, PNG and WebP images are accepted, recognised by their content (never by the name or the
type the browser claims) and fully decoded by Pillow, within a size and a pixel limit. Files are
stored under ``<upload_dir>/<2 hex>/<sha256>`` with no user-controlled part in the path, and served
back only with the detected type, ``nosniff`` and a sandboxing CSP.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from binhon.errors import BinhonError
from binhon.formatting import format_number

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 50_000_000
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class UploadRejected(BinhonError):
    """The file is not an acceptable image (message in Vietnamese)."""


@dataclass(frozen=True)
class CheckedImage:
    """An accepted image: its bytes, hash, detected type and a safe display name."""

    data: bytes
    sha256: str
    content_type: str
    filename: str

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


def _magic_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def safe_filename(name: str | None) -> str:
    """A display name: the base name only, no control characters, at most 120 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip(" .")[:120]
    return base or "anh"


def check_image(data: bytes, *, filename: str | None, max_bytes: int) -> CheckedImage:
    """Accept data if it is a JPEG, PNG or WebP image within the limits; else UploadRejected."""
    if not data:
        raise UploadRejected("tệp ảnh trống")
    if len(data) > max_bytes:
        raise UploadRejected(
            f"ảnh quá lớn ({format_number(len(data) / 1048576, 1)} MB; "
            f"tối đa {format_number(max_bytes / 1048576, 1)} MB)"
        )
    kind = _magic_type(data)
    if kind is None:
        raise UploadRejected("chỉ nhận ảnh JPEG, PNG hoặc WebP (ảnh chụp bảng giá hoặc hóa đơn)")
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != kind:
                raise UploadRejected("nội dung tệp không khớp định dạng ảnh")
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise UploadRejected("ảnh có kích thước (số điểm ảnh) quá lớn")
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()  # a full decode catches truncated or corrupt images
    except UploadRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for bad images
        raise UploadRejected("tệp ảnh bị hỏng hoặc không đọc được") from exc
    return CheckedImage(data, hashlib.sha256(data).hexdigest(), IMAGE_TYPES[kind], safe_filename(filename))


def stored_path(upload_dir: Path, sha256: str) -> Path:
    """Where the file with this hash is stored (ValueError for anything but a sha256 hex digest)."""
    if not _SHA_RE.fullmatch(sha256):
        raise ValueError("not a sha256 digest")
    return upload_dir / sha256[:2] / sha256


def store_image(image: CheckedImage, *, upload_dir: Path) -> Path:
    """Write the image under its hash (atomically; an existing identical file is kept)."""
    path = stored_path(upload_dir, image.sha256)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(image.data)
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_stored(upload_dir: Path, sha256: str) -> CheckedImage | None:
    """A stored image by hash, re-checked, or None when missing."""
    try:
        path = stored_path(upload_dir, sha256)
    except ValueError:
        return None
    if not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    kind = _magic_type(data)
    if kind is None:
        return None
    return CheckedImage(data, sha256, IMAGE_TYPES[kind], "anh")
