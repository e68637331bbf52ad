"""Attachment rules: what a file is (by its content), clean names, photos without
their location, and storage under a generated name outside the web root."""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from visits import audit, crypto
from visits.crypto.fields import file_aad
from visits.errors import Invalid
from visits.extensions import db
from visits.models import Attachment, Finding, User, Visit
from visits.visits.rules import lock_for_change

MAX_NAME_LENGTH = 200
MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]
    label: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), "JPEG")
PNG = FileKind("image/png", (".png",), "PNG")
PDF = FileKind("application/pdf", (".pdf",), "PDF")
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "DOCX"
)
XLSX = FileKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "XLSX"
)
ODT = FileKind("application/vnd.oasis.opendocument.text", (".odt",), "ODT")
ACCEPTED_KINDS = (JPEG, PNG, PDF, DOCX, XLSX, ODT)
ACCEPTED_LABELS = ", ".join(kind.label for kind in ACCEPTED_KINDS)

_ODT_MIMETYPE = ODT.content_type.encode("ascii")
# A photo larger than this is refused rather than decoded (decompression bombs).
MAX_IMAGE_PIXELS = 80_000_000
TOO_MANY_PIXELS = _l("This photo has too many pixels. Send a smaller copy of it.")


class Refused(Invalid):
    """An upload the app does not take; the message tells the user why."""

    def __init__(self, message: str | LazyString) -> None:
        super().__init__(str(message), field="file")


class TooLarge(Refused):
    """A file so large that the request went over ``MAX_CONTENT_LENGTH``: it was not read."""

    status = 413

    def __init__(self, max_bytes: int) -> None:
        super().__init__(too_large_message(max_bytes))


def too_large_message(max_bytes: int) -> LazyString:
    return _l(
        "The file is larger than %(limit)s MB, the largest this app accepts.",
        limit=limit_in_megabytes(max_bytes),
    )


class ForeignFinding(Invalid):
    """A finding that is not one of the visit's."""

    def __init__(self) -> None:
        super().__init__(_("This finding is not one of this visit's."), field="finding_id")


# Files written in the current transaction: removed again if it rolls back,
# so that a refused or failed upload leaves no orphan in the store.
_NEW_FILES = "attachments.new_files"


@event.listens_for(Session, "after_rollback")
def _remove_unsaved_files(session: Session) -> None:
    for path in session.info.pop(_NEW_FILES, []):
        Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _keep_saved_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


def detect_kind(data: bytes) -> FileKind | None:
    """What the bytes are, whatever the file is called; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> FileKind | None:
    """DOCX, XLSX and ODT are ZIP files; their entries say which."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    if entry.read(len(_ODT_MIMETYPE) + 1).strip() == _ODT_MIMETYPE:
                        return ODT
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError):
        return None
    return None


_CONTROL_OR_FORMAT = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean_filename(raw: str, kind: FileKind) -> str:
    """A name fit to show and to offer for download, never used as a path.

    Only the last component of any path is kept; control and direction-
    changing characters go; letters of any script stay. The extension is
    made to match the content, so that a PNG called ``x.exe`` downloads as
    ``x.exe.png``.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _CONTROL_OR_FORMAT)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem, dot, extension = name.rpartition(".")
    if not dot or f".{extension.lower()}" not in kind.extensions:
        stem, extension = name, kind.extensions[0].lstrip(".")
    stem = stem.strip() or "attachment"
    suffix = f".{extension.lower()}"
    return stem[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix


def strip_photo(data: bytes, kind: FileKind) -> bytes:
    """Re-encode a photo upright and without any metadata (EXIF, GPS, comments).

    The pixels are copied into a new image, so nothing the camera or phone
    wrote travels with them.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as original:
                if original.width * original.height > MAX_IMAGE_PIXELS:
                    raise Refused(TOO_MANY_PIXELS)
                # Decoding every pixel is the check that matters: whatever else
                # the file holds is left behind.
                upright = ImageOps.exif_transpose(original)
                pixels = _plain_mode(upright)
                clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
                if pixels.mode == "P":
                    clean.putpalette(pixels.getpalette() or [])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Refused(TOO_MANY_PIXELS) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise Refused(
            _l("This photo could not be read; it may be damaged. Try exporting it again.")
        ) from error
    output = io.BytesIO()
    if kind is JPEG:
        clean.save(output, "JPEG", quality=90)
    else:
        clean.save(output, "PNG")
    return output.getvalue()


def _plain_mode(image: Image.Image) -> Image.Image:
    """A mode whose pixels carry everything (palette transparency lives in metadata)."""
    if image.mode == "P" and "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode in {"1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I"}:
        return image
    return image.convert("RGBA" if "A" in image.mode else "RGB")


def limit_in_megabytes(max_bytes: int) -> str:
    return f"{max_bytes / MEBIBYTE:g}"


def check_upload(data: bytes, max_bytes: int) -> FileKind:
    """The kind of an acceptable upload, or ``Refused`` with the reason."""
    if not data:
        raise Refused(_l("The file is empty. Choose the file again."))
    if len(data) > max_bytes:
        raise Refused(too_large_message(max_bytes))
    kind = detect_kind(data)
    if kind is None:
        raise Refused(
            _l(
                "This kind of file is not accepted. Send a photo or a document in one "
                "of these formats: %(kinds)s.",
                kinds=ACCEPTED_LABELS,
            )
        )
    return kind


def storage_folder() -> Path:
    folder = Path(current_app.instance_path) / "attachments"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def stored_path(attachment: Attachment) -> Path:
    return storage_folder() / attachment.stored_name


def _write_new_file(content: bytes) -> str:
    """Write encrypted under a fresh random name (readable by the app only); return the name.

    The name is the associated data: a file copied under another name no
    longer decrypts.
    """
    folder = storage_folder()
    while True:
        name = secrets.token_hex(16)
        try:
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        db.session.info.setdefault(_NEW_FILES, []).append(str(folder / name))
        with os.fdopen(fd, "wb") as handle:
            handle.write(crypto.encrypt_bytes(content, file_aad(name)))
        return name


def read_stored(attachment: Attachment) -> bytes:
    """The file's content, decrypted; ``crypto.DecryptionError`` if it was tampered with."""
    blob = stored_path(attachment).read_bytes()
    try:
        return crypto.decrypt_bytes(blob, file_aad(attachment.stored_name))
    except crypto.DecryptionError as error:
        error.locate("attachments", attachment.id)
        raise


def record_download(attachment: Attachment) -> None:
    """Every download of a file is recorded, and committed at once (docs/architecture.md, 5)."""
    audit.record_now("attachment.download", attachment)


def record_view(attachment: Attachment) -> None:
    """A photo shown in the page (its thumbnail, or opened in the browser) is a view:
    recorded once while the same person keeps looking (``audit.trail.VIEW_WINDOW``)."""
    audit.record_view("attachment.view", attachment)


def finding_of_visit(visit: Visit, finding_id: int | None) -> Finding | None:
    if finding_id is None:
        return None
    finding = db.session.get(Finding, finding_id)
    if finding is None or finding.visit_id != visit.id or finding.is_deleted:
        raise ForeignFinding
    return finding


def store_upload(
    visit: Visit,
    uploader: User,
    data: bytes,
    filename: str,
    caption: str,
    finding_id: int | None = None,
    max_bytes: int | None = None,
) -> Attachment:
    """Check, clean and store an upload; record its size and SHA-256.

    The file is written at once; it is removed again if the transaction that
    records it rolls back.
    """
    lock_for_change(visit)
    limit = max_bytes if max_bytes is not None else current_app.config["ATTACHMENT_MAX_BYTES"]
    finding = finding_of_visit(visit, finding_id)
    kind = check_upload(data, limit)
    content = strip_photo(data, kind) if kind.is_image else data
    stored_name = _write_new_file(content)
    attachment = Attachment(
        visit_id=visit.id,
        finding_id=finding.id if finding is not None else None,
        original_name=clean_filename(filename, kind),
        stored_name=stored_name,
        content_type=kind.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        caption=caption.strip(),
        uploaded_by_id=uploader.id,
    )
    db.session.add(attachment)
    audit.record(
        "attachment.create",
        attachment,
        content_type=attachment.content_type,
        size=attachment.size,
        finding_id=attachment.finding_id,
    )
    return attachment
