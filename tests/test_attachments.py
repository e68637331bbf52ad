"""Attachments: checked by content, cleaned names, photos without location, safe downloads."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from PIL import ExifTags, Image
from sqlalchemy import select

from tests.factories import (
    PNG_BYTES,
    make_attachment,
    make_finding,
    make_place,
    make_reference,
    make_visit,
)
from tests.support import Account, AuthActions
from visits.attachments import services
from visits.extensions import db
from visits.models import Attachment, Visit, VisitStatus


@pytest.fixture
def visit_id(app: Flask, monitor: Account) -> int:
    with app.app_context():
        visit = make_visit(make_place(*make_reference()), monitor.id)
        db.session.commit()
        return visit.id


@pytest.fixture
def team(auth: AuthActions, monitor: Account) -> AuthActions:
    auth.login(monitor)
    return auth


def upload(team: AuthActions, visit_id: int, content: bytes, name: str, **fields: Any) -> Any:
    return team.post(
        f"/visits/{visit_id}/attachments",
        {"file": (io.BytesIO(content), name), "caption": "Cell 4", **fields},
        content_type="multipart/form-data",
    )


def stored(app: Flask) -> list[Attachment]:
    with app.app_context():
        return list(db.session.scalars(select(Attachment).order_by(Attachment.id)))


def storage(app: Flask) -> Path:
    return Path(app.instance_path) / "attachments"


def stored_content(app: Flask, attachment: Attachment) -> bytes:
    """The stored file, decrypted (on disk it is encrypted: see tests/test_crypto.py)."""
    with app.app_context():
        return services.read_stored(attachment)


def jpeg_with_gps(width: int = 40, height: int = 20, orientation: int = 1) -> bytes:
    """A photo as a phone takes it: with GPS coordinates and an orientation tag."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (42.0, 52.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (74.0, 36.0, 10.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo carries GPS"
    return data


def office_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


MINIMAL_DOCX = office_zip(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
    }
)


def test_photo_is_stored_under_a_generated_name_with_its_checksum(
    app: Flask, team: AuthActions, visit_id: int
) -> None:
    response = upload(team, visit_id, PNG_BYTES, "cell.png")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/visits/{visit_id}#attachments")
    [attachment] = stored(app)
    assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
    content = stored_content(app, attachment)
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert (attachment.original_name, attachment.content_type, attachment.caption) == (
        "cell.png",
        "image/png",
        "Cell 4",
    )


def test_empty_file_is_refused(app: Flask, team: AuthActions, visit_id: int) -> None:
    response = upload(team, visit_id, b"", "empty.pdf")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The file is empty." in page
    assert 'value="Cell 4"' in page, "the caption typed is kept"
    assert stored(app) == []


def test_file_over_the_limit_is_refused_with_the_limit(
    app: Flask, team: AuthActions, visit_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)

    response = upload(team, visit_id, b"%PDF-1.7\n" + b"0" * (1024 * 1024), "report.pdf")

    assert response.status_code == 422
    assert "The file is larger than 1 MB" in response.get_data(as_text=True)
    assert stored(app) == []


def test_program_renamed_as_a_photo_is_refused(
    app: Flask, team: AuthActions, visit_id: int
) -> None:
    response = upload(team, visit_id, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "photo.jpg")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This kind of file is not accepted" in page
    assert "JPEG, PNG, PDF, DOCX, XLSX, ODT" in page
    assert stored(app) == []
    assert not storage(app).exists() or not any(
        path.read_bytes().startswith(b"MZ") for path in storage(app).iterdir()
    )


def test_path_in_a_file_name_is_reduced_to_a_clean_name(
    app: Flask, team: AuthActions, visit_id: int
) -> None:
    before = set(storage(app).iterdir()) if storage(app).exists() else set()

    response = upload(team, visit_id, PNG_BYTES, "../../etc/passwd.png")

    assert response.status_code == 302
    [attachment] = stored(app)
    assert attachment.original_name == "passwd.png"
    assert set(storage(app).iterdir()) - before == {storage(app) / attachment.stored_name}
    assert not (Path(app.instance_path).parent / "etc").exists()


def test_photo_loses_its_location_and_camera_data_but_stays_upright(
    app: Flask, team: AuthActions, visit_id: int
) -> None:
    # Orientation 6: the camera was turned; the stored photo is turned back.
    photo = jpeg_with_gps(width=40, height=20, orientation=6)

    response = upload(team, visit_id, photo, "IMG_0042.JPG")

    assert response.status_code == 302
    [attachment] = stored(app)
    content = stored_content(app, attachment)
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert image.size == (20, 40)
    assert b"Exif" not in content
    assert b"PhoneMaker" not in content
    assert attachment.original_name == "IMG_0042.jpg"
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()


def test_word_document_is_accepted_and_downloaded_as_a_file(
    app: Flask, client: FlaskClient, team: AuthActions, visit_id: int
) -> None:
    response = upload(team, visit_id, MINIMAL_DOCX, "Акт проверки.docx")
    assert response.status_code == 302
    [attachment] = stored(app)
    assert attachment.content_type == services.DOCX.content_type
    assert attachment.original_name == "Акт проверки.docx"

    download = client.get(f"/attachments/{attachment.id}")
    disposition = download.headers["Content-Disposition"]
    assert download.status_code == 200
    assert download.data == MINIMAL_DOCX
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%D0%90%D0%BA%D1%82%20" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "no-store"

    inline = client.get(f"/attachments/{attachment.id}?inline=1")
    assert inline.headers["Content-Disposition"].startswith("attachment;")


def test_only_photos_are_shown_inline(
    app: Flask, client: FlaskClient, team: AuthActions, visit_id: int
) -> None:
    upload(team, visit_id, PNG_BYTES, "cell.png")
    [attachment] = stored(app)

    inline = client.get(f"/attachments/{attachment.id}?inline=1")
    download = client.get(f"/attachments/{attachment.id}")

    assert inline.status_code == 200
    assert inline.mimetype == "image/png"
    assert inline.headers["Content-Disposition"].startswith("inline;")
    assert download.headers["Content-Disposition"] == "attachment; filename=cell.png"


def test_spreadsheet_and_text_document_are_recognised_by_their_entries() -> None:
    xlsx = office_zip({"xl/workbook.xml": b"<workbook/>"})
    odt = office_zip({"mimetype": b"application/vnd.oasis.opendocument.text"})
    ods = office_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    plain_zip = office_zip({"readme.txt": b"hello"})

    assert services.detect_kind(xlsx) is services.XLSX
    assert services.detect_kind(odt) is services.ODT
    assert services.detect_kind(ods) is None
    assert services.detect_kind(plain_zip) is None
    assert services.detect_kind(b"PK\x03\x04 not really a zip") is None
    assert services.detect_kind(b"%PDF-1.4 ...") is services.PDF
    assert services.detect_kind(b"<html><script>") is None


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("..\\..\\windows\\system.ini.pdf", "PDF", "system.ini.pdf"),
        ("фото\x00камеры\u202e.png", "PNG", "фотокамеры.png"),
        ("report.exe", "PDF", "report.exe.pdf"),
        ("...", "PNG", "attachment.png"),
        ("Scan.PDF", "PDF", "Scan.pdf"),
        ("/var/uploads/" + "я" * 300 + ".jpeg", "JPEG", "я" * 195 + ".jpeg"),
    ],
)
def test_file_names_are_cleaned(raw: str, kind: str, expected: str) -> None:
    cleaned = services.clean_filename(raw, getattr(services, kind))
    assert cleaned == expected
    assert len(cleaned) <= 200


def test_corrupt_photo_is_refused_with_a_message(
    app: Flask, team: AuthActions, visit_id: int
) -> None:
    response = upload(team, visit_id, PNG_BYTES[:30], "broken.png")
    assert response.status_code == 422
    assert "This photo could not be read" in response.get_data(as_text=True)
    assert stored(app) == []


def test_upload_to_a_finding_of_the_visit(
    app: Flask, client: FlaskClient, team: AuthActions, monitor: Account, visit_id: int
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        finding_id = make_finding(visit, monitor.id).id
        db.session.commit()
    finding_page = client.get(f"/findings/{finding_id}").get_data(as_text=True)
    assert f'name="finding_id" value="{finding_id}"' in finding_page
    assert 'enctype="multipart/form-data"' in finding_page

    response = upload(team, visit_id, PNG_BYTES, "bruise.png", finding_id=str(finding_id))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/findings/{finding_id}")
    assert stored(app)[0].finding_id == finding_id
    page = client.get(f"/findings/{finding_id}").get_data(as_text=True)
    assert "bruise.png" in page
    assert f"/attachments/{stored(app)[0].id}?inline=1" in page


def test_finding_of_another_visit_is_refused(
    app: Flask, team: AuthActions, monitor: Account, visit_id: int
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        other = make_visit(visit.place, monitor.id)
        foreign_id = make_finding(other, monitor.id).id
        db.session.commit()

    response = upload(team, visit_id, PNG_BYTES, "cell.png", finding_id=str(foreign_id))

    assert response.status_code == 422
    assert "This finding is not one of this visit" in response.get_data(as_text=True)
    assert stored(app) == []


def test_no_upload_once_the_visit_is_approved(app: Flask, team: AuthActions, visit_id: int) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        visit.status = VisitStatus.APPROVED
        db.session.commit()

    assert upload(team, visit_id, PNG_BYTES, "cell.png").status_code == 409
    assert stored(app) == []


def test_visit_page_section_shows_thumbnails_names_and_the_upload_form(
    app: Flask, monitor: Account, visit_id: int
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        photo = make_attachment(app, visit, monitor.id, caption="Cell 3 window")
        document = make_attachment(
            app,
            visit,
            monitor.id,
            original_name="register.pdf",
            content_type="application/pdf",
            caption="",
        )
        attachments = [photo, document]
        with app.test_request_context():
            editable = render_template(
                "visits/_attachments.html",
                visit=visit,
                attachments=attachments,
                perms=SimpleNamespace(can_edit=True, can_delete_files=True),
            )
            read_only = render_template(
                "visits/_attachments.html",
                visit=visit,
                attachments=attachments,
                perms=SimpleNamespace(can_edit=False, can_delete_files=False),
            )
        photo_id, document_id = photo.id, document.id
        db.session.rollback()

    assert f'src="/attachments/{photo_id}?inline=1"' in editable
    assert f"/attachments/{document_id}?inline=1" not in editable
    assert "register.pdf" in editable
    assert "Cell 3 window" in editable
    assert 'enctype="multipart/form-data"' in editable
    assert f'data-max-bytes="{app.config["ATTACHMENT_MAX_BYTES"]}"' in editable
    assert "js/upload-limit.js" in editable
    assert "<form" not in read_only
    assert "register.pdf" in read_only
