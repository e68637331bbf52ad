"""Encryption at rest: confidential fields and attachment files are sealed with
AES-GCM and bound to their place; a changed or moved value is refused with a
clear page and an audit event; keys rotate; a missing key stops the start.

The canary (tests/test_canary.py) proves that nothing typed reaches the disk
in plain text; these tests prove the rest of the contract.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import column, select, table, update

from tests.conftest import app_config
from tests.factories import (
    PNG_BYTES,
    World,
    build_world,
    make_attachment,
    make_interview,
    make_place,
    make_reference,
    make_visit,
)
from tests.support import Account
from visits import create_app, crypto
from visits.attachments import services as attachment_services
from visits.crypto.fields import file_aad
from visits.extensions import db
from visits.models import Attachment, AuditEvent, Finding, Interview, Visit

NOTES = "Interview notes: beaten at arrest"  # what tests/factories.py writes


# --- Helpers ---------------------------------------------------------------------------


def raw_value(app: Flask, table_name: str, column_name: str, row_id: int) -> str:
    """What the database holds, read past the models."""
    rows = table(table_name, column("id"), column(column_name))
    with app.app_context():
        value = db.session.execute(
            select(rows.c[column_name]).where(rows.c.id == row_id)
        ).scalar_one()
        db.session.remove()
    return str(value)


def write_raw(app: Flask, table_name: str, column_name: str, row_id: int, value: str) -> None:
    """Change the database past the models, as someone with access to it could."""
    rows = table(table_name, column("id"), column(column_name))
    with app.app_context():
        db.session.execute(update(rows).where(rows.c.id == row_id).values({column_name: value}))
        db.session.commit()


def tampered(value: str) -> str:
    """The same encrypted value with one bit of its ciphertext flipped."""
    prefix, key_id, token = value.split(":", 2)
    sealed = bytearray(base64.b64decode(token))
    sealed[-1] ^= 1
    return f"{prefix}:{key_id}:{base64.b64encode(bytes(sealed)).decode('ascii')}"


def events(app: Flask, action: str) -> list[tuple[str, int | None, int | None, dict[str, Any]]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
        return [
            (row.object_type, row.object_id, row.user_id, json.loads(row.details)) for row in rows
        ]


def stored_file(app: Flask, attachment_id: int) -> Path:
    with app.app_context():
        attachment = db.session.get(Attachment, attachment_id)
        assert attachment is not None
        return Path(app.instance_path) / "attachments" / attachment.stored_name


def spec(key_id: str, key: bytes) -> str:
    return crypto.key_spec(key_id, key)


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


@pytest.fixture
def team(client_as: Callable[[Account | None], FlaskClient], monitor: Account) -> FlaskClient:
    return client_as(monitor)


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Flask]]:
    """Apps of their own (own instance folder: own keys and files) on the test database."""
    made: list[Flask] = []

    def make(instance: str = "instance", **overrides: Any) -> Flask:
        application = create_app(app_config(tmp_path / instance, database_url, **overrides))
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.engine.dispose()


# --- Round trip ------------------------------------------------------------------------


def test_a_field_is_stored_encrypted_and_reads_back_as_typed(app: Flask, world: World) -> None:
    with app.app_context():
        current = crypto.key_ring().current_id
        interview = db.session.get(Interview, world.interview_id)
        assert interview is not None
        assert interview.notes == NOTES
        assert interview.identifying_details == ""
        interview.identifying_details = "Шрам на левой руке, камера 4"
        db.session.commit()

    stored = raw_value(app, "interviews", "notes", world.interview_id)
    assert stored.startswith(f"enc1:{current}:")
    assert "beaten" not in stored
    assert raw_value(app, "interviews", "identifying_details", world.interview_id) != (
        "Шрам на левой руке, камера 4"
    )
    assert raw_value(app, "findings", "allegation_what", world.finding_id) == "", (
        "empty stays empty"
    )
    with app.app_context():
        interview = db.session.get(Interview, world.interview_id)
        assert interview is not None
        assert interview.identifying_details == "Шрам на левой руке, камера 4"


def test_saving_the_same_text_again_changes_nothing(app: Flask, world: World) -> None:
    before = raw_value(app, "interviews", "notes", world.interview_id)
    with app.app_context():
        interview = db.session.get(Interview, world.interview_id)
        assert interview is not None
        version = interview.version
        interview.notes = NOTES
        db.session.commit()
        assert interview.version == version

    assert raw_value(app, "interviews", "notes", world.interview_id) == before


def test_text_and_bytes_round_trip_with_a_fresh_nonce_each_time(app: Flask) -> None:
    with app.app_context():
        first = crypto.encrypt("Избит при задержании", "interviews.notes.k")
        second = crypto.encrypt("Избит при задержании", "interviews.notes.k")
        assert first != second
        assert crypto.decrypt(first, "interviews.notes.k") == "Избит при задержании"
        sealed = crypto.encrypt_bytes(PNG_BYTES, "attachments/a")
        assert PNG_BYTES not in sealed
        assert crypto.decrypt_bytes(sealed, "attachments/a") == PNG_BYTES


def test_encrypted_fields_cannot_be_used_in_sql(app: Flask) -> None:
    # Searching and sorting never see these columns: the database holds ciphertext.
    with pytest.raises(TypeError, match=r"interviews\.notes is encrypted"):
        select(Interview).where(Interview.notes == "beaten")
    with pytest.raises(TypeError, match=r"findings\.text is encrypted"):
        select(Finding).order_by(Finding.text)


# --- Moved values --------------------------------------------------------------------------


def test_a_value_copied_to_another_row_does_not_decrypt(
    app: Flask, world: World, monitor: Account, team: FlaskClient
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        other_id = make_interview(visit, monitor.id, number=2, notes="Nothing to report").id
        db.session.commit()
    write_raw(
        app,
        "interviews",
        "notes",
        other_id,
        raw_value(app, "interviews", "notes", world.interview_id),
    )

    with app.app_context():
        other = db.session.get(Interview, other_id)
        assert other is not None
        with pytest.raises(crypto.DecryptionError):
            _ = other.notes
    response = team.get(f"/interviews/{other_id}")
    assert response.status_code == 409
    assert NOTES not in response.get_data(as_text=True)


def test_a_value_copied_to_another_column_does_not_decrypt(app: Flask, world: World) -> None:
    notes = raw_value(app, "interviews", "notes", world.interview_id)
    write_raw(app, "interviews", "real_name", world.interview_id, notes)
    text = raw_value(app, "findings", "text", world.finding_id)
    write_raw(app, "findings", "allegation_what", world.finding_id, text)

    with app.app_context():
        interview = db.session.get(Interview, world.interview_id)
        finding = db.session.get(Finding, world.finding_id)
        assert interview is not None
        assert finding is not None
        assert interview.notes == NOTES, "the original still reads"
        with pytest.raises(crypto.DecryptionError):
            _ = interview.real_name
        with pytest.raises(crypto.DecryptionError):
            _ = finding.allegation_what


def test_an_attachment_file_copied_under_another_name_does_not_decrypt(
    app: Flask, world: World, monitor: Account, team: FlaskClient
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        other_id = make_attachment(app, visit, monitor.id, original_name="other.png").id
        db.session.commit()
    original, other = stored_file(app, world.attachment_id), stored_file(app, other_id)
    other.write_bytes(original.read_bytes())

    try:
        assert team.get(f"/attachments/{world.attachment_id}").data == PNG_BYTES
        assert team.get(f"/attachments/{other_id}").status_code == 409
    finally:
        other.unlink()  # a later migration test decrypts every file of the folder


# --- Tampering --------------------------------------------------------------------------------


def test_a_tampered_value_gives_a_clear_page_and_an_audit_event(
    app: Flask, world: World, monitor: Account, team: FlaskClient
) -> None:
    changed = tampered(raw_value(app, "interviews", "notes", world.interview_id))
    write_raw(app, "interviews", "notes", world.interview_id, changed)

    response = team.get(f"/interviews/{world.interview_id}")

    # Guards visits/errors.py handle_decryption_error (without it: a 500).
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This record could not be decrypted" in page
    assert "it may have been tampered with" in page
    assert "The incident was recorded" in page
    assert events(app, "crypto.decryption_failed") == [
        ("interviews", world.interview_id, monitor.id, {"reason": "integrity_check_failed"})
    ]
    assert raw_value(app, "interviews", "notes", world.interview_id) == changed, "kept as found"


def test_a_tampered_attachment_gives_a_clear_page_and_an_audit_event(
    app: Flask, world: World, monitor: Account, team: FlaskClient
) -> None:
    path = stored_file(app, world.attachment_id)
    sealed = bytearray(path.read_bytes())
    sealed[-1] ^= 1
    path.write_bytes(bytes(sealed))

    try:
        response = team.get(f"/attachments/{world.attachment_id}")
    finally:
        path.unlink()  # a later migration test decrypts every file of the folder

    assert response.status_code == 409
    assert "This record could not be decrypted" in response.get_data(as_text=True)
    assert PNG_BYTES not in response.data
    assert events(app, "crypto.decryption_failed") == [
        ("attachments", world.attachment_id, monitor.id, {"reason": "integrity_check_failed"})
    ]


def test_a_value_under_a_key_no_longer_configured_says_so(
    app: Flask, world: World, team: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        old_id = crypto.key_ring().current_id
    monkeypatch.setitem(app.extensions, "key_ring", crypto.KeyRing((crypto.new_key(),)))

    response = team.get(f"/findings/{world.finding_id}")

    assert response.status_code == 409
    assert "encrypted with a key this installation does not have" in response.get_data(as_text=True)
    [(object_type, object_id, _, details)] = events(app, "crypto.decryption_failed")
    assert (object_type, object_id) == ("findings", world.finding_id)
    assert details == {"reason": "missing_key", "key_id": old_id}


# --- Rotation ---------------------------------------------------------------------------------


def test_rotation_reencrypts_everything_and_old_values_read_until_then(
    make_app: Callable[..., Flask], monitor: Account
) -> None:
    old_id, old_key = crypto.new_key()
    first = make_app(ENCRYPTION_KEYS=spec(old_id, old_key))
    world = build_world(first, monitor.id)

    # The operator puts a new key first; the old one stays for what it encrypted.
    new_id, new_key = crypto.new_key()
    both = make_app(ENCRYPTION_KEYS=f"{spec(new_id, new_key)},{spec(old_id, old_key)}")
    with both.app_context():
        interview = db.session.get(Interview, world.interview_id)
        assert interview is not None
        assert interview.notes == NOTES
    assert raw_value(both, "interviews", "notes", world.interview_id).startswith(f"enc1:{old_id}:")

    result = both.test_cli_runner().invoke(args=["keys", "rotate"])

    assert result.exit_code == 0, result.output
    assert f"Re-encrypted under key {new_id}:" in result.output
    lines = {" ".join(line.split()) for line in result.output.splitlines()}
    assert {
        "interviews.notes 1",
        "interviews.real_name 1",
        "interviews.identifying_details 0",
        "findings.text 1",
        "findings.title 1",
        "findings.review_comment 0",
        "checklist_answers.note 1",
        "attachments.caption 1",
        "attachments.original_name 1",
        "visits.purpose 0",
        "users.totp_secret 0",
        "recommendations.rationale 1",
        "recommendations.internal_note 1",
        "recommendation_responses.text 0",
        "attachment files 1",
    } <= lines
    for table_name, column_name, row_id in (
        ("interviews", "notes", world.interview_id),
        ("interviews", "real_name", world.interview_id),
        ("findings", "text", world.finding_id),
        ("findings", "title", world.finding_id),
        ("attachments", "original_name", world.attachment_id),
    ):
        assert raw_value(both, table_name, column_name, row_id).startswith(f"enc1:{new_id}:")
    [(_, _, _, details)] = events(both, "crypto.keys_rotated")
    assert details == {"key_id": new_id, "values": 9, "files": 1}

    # The old key can go: the new one alone starts the app and reads everything.
    only_new = make_app(ENCRYPTION_KEYS=spec(new_id, new_key))
    with only_new.app_context():
        interview = db.session.get(Interview, world.interview_id)
        attachment = db.session.get(Attachment, world.attachment_id)
        assert interview is not None
        assert attachment is not None
        assert interview.notes == NOTES
        assert attachment_services.read_stored(attachment) == PNG_BYTES


def test_rotate_with_a_new_key_adds_it_to_the_instance_key_file(
    make_app: Callable[..., Flask], monitor: Account
) -> None:
    embedded = make_app()
    with embedded.app_context():
        old_id = crypto.key_ring().current_id
    world = build_world(embedded, monitor.id)

    result = embedded.test_cli_runner().invoke(args=["keys", "rotate", "--new-key"])

    assert result.exit_code == 0, result.output
    ring = crypto.read_keys_file(crypto.keys_file(Path(embedded.instance_path)))
    assert [key_id for key_id, _ in ring.keys][1:] == [old_id]
    assert f"Added key {ring.current_id}" in result.output
    assert raw_value(embedded, "interviews", "notes", world.interview_id).startswith(
        f"enc1:{ring.current_id}:"
    )
    status = embedded.test_cli_runner().invoke(args=["keys", "status"])
    assert f"{ring.current_id}  (current)" in status.output
    assert f"No value or file uses {old_id}" in status.output


def test_rotate_with_a_new_key_refuses_when_keys_come_from_the_environment(
    make_app: Callable[..., Flask],
) -> None:
    configured = make_app(ENCRYPTION_KEYS=spec(*crypto.new_key()))

    result = configured.test_cli_runner().invoke(args=["keys", "rotate", "--new-key"])

    assert result.exit_code != 0
    assert "put a new key" in result.output
    assert "at the front of ENCRYPTION_KEYS" in result.output


def test_status_counts_the_values_and_files_of_each_key(
    make_app: Callable[..., Flask], monitor: Account
) -> None:
    embedded = make_app()
    with embedded.app_context():
        key_id = crypto.key_ring().current_id
    build_world(embedded, monitor.id)

    result = embedded.test_cli_runner().invoke(args=["keys", "status"])

    assert result.exit_code == 0, result.output
    lines = {" ".join(line.split()) for line in result.output.splitlines()}
    assert f"{key_id} (current)" in lines
    assert f"interviews.notes {key_id}: 1" in lines
    assert "interviews.identifying_details none" in lines
    assert f"findings.title {key_id}: 1" in lines
    assert f"checklist_answers.note {key_id}: 1" in lines
    assert f"attachments.original_name {key_id}: 1" in lines
    assert "visits.purpose none" in lines
    assert f"attachment files {key_id}: 1" in lines


# --- Missing keys and bad configuration ---------------------------------------------------


def test_a_missing_key_id_refuses_start_up_naming_it(
    make_app: Callable[..., Flask], monitor: Account
) -> None:
    embedded = make_app()
    with embedded.app_context():
        used_id = crypto.key_ring().current_id
    build_world(embedded, monitor.id)
    other = spec(*crypto.new_key())

    # Guards the check in visits/__init__.py _init_key_ring.
    with pytest.raises(
        crypto.KeyConfigurationError,
        match=f"^encryption key '{used_id}' is missing: add it to ENCRYPTION_KEYS$",
    ):
        make_app("elsewhere", ENCRYPTION_KEYS=other)
    with pytest.raises(crypto.KeyConfigurationError, match=f"'{used_id}' is missing.*backup"):
        make_app("fresh-embedded-keys")
    # The escape hatch for `flask keys status` and `flask db` while the key is sought.
    make_app("elsewhere", ENCRYPTION_KEYS=other, ENCRYPTION_KEY_CHECK=False)


def test_a_visits_free_text_under_a_missing_key_refuses_start_up(
    make_app: Callable[..., Flask], monitor: Account
) -> None:
    old_id, old_key = crypto.new_key()
    first = make_app(ENCRYPTION_KEYS=spec(old_id, old_key))
    with first.app_context():
        place = make_place(*make_reference())
        # The only encrypted value: the start-up check finds it without being told of it.
        make_visit(place, monitor.id, purpose="After the death of a detainee in cell 2")
        db.session.commit()

    with pytest.raises(crypto.KeyConfigurationError, match=f"'{old_id}' is missing"):
        make_app("elsewhere", ENCRYPTION_KEYS=spec(*crypto.new_key()))


def test_an_attachment_file_under_a_missing_key_refuses_start_up(
    make_app: Callable[..., Flask],
) -> None:
    embedded = make_app()
    with embedded.app_context():
        used_id = crypto.key_ring().current_id
        folder = Path(embedded.instance_path) / "attachments"
        folder.mkdir()
        name = "f" * 32
        (folder / name).write_bytes(crypto.encrypt_bytes(PNG_BYTES, file_aad(name)))

    with pytest.raises(crypto.KeyConfigurationError, match=f"'{used_id}' is missing"):
        make_app(ENCRYPTION_KEYS=spec(*crypto.new_key()))


def test_start_up_skips_the_check_on_a_database_without_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    application = create_app(app_config(tmp_path / "instance", url))
    assert "key_ring" in application.extensions


KEY = base64.b64encode(bytes(range(32))).decode("ascii")
SHORT_KEY = base64.b64encode(bytes(16)).decode("ascii")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"abcd1234:{KEY},", "entry 2 is empty (check for a stray comma)"),
        (KEY, "entry 1 is not of the form id:base64key"),
        (f"ab12:{KEY}", "the key id 'ab12' must be 8 letters or digits"),
        (f"ab:cd:1234:{KEY}", "the key id 'ab' must be 8 letters or digits"),
        ("abcd1234:not base64!", "key 'abcd1234' is not valid base64"),
        (f"abcd1234:{SHORT_KEY}", "key 'abcd1234' has 16 bytes; AES-256 needs 32"),
        (f"abcd1234:{KEY},abcd1234:{KEY}", "the key id 'abcd1234' appears twice"),
    ],
)
def test_bad_encryption_keys_are_refused_clearly(
    tmp_path: Path, database_url: str, value: str, message: str
) -> None:
    with pytest.raises(crypto.KeyConfigurationError) as refused:
        create_app(app_config(tmp_path, database_url, ENCRYPTION_KEYS=value))
    assert str(refused.value).startswith("ENCRYPTION_KEYS")
    assert message in str(refused.value)
    assert KEY not in str(refused.value), "a key never appears in an error message"


def test_an_unreadable_key_file_is_refused_clearly(tmp_path: Path, database_url: str) -> None:
    (tmp_path / "encryption_keys.json").write_text('{"keys": [{"id": "abcd1234"}]}')

    with pytest.raises(crypto.KeyConfigurationError, match="could not be read as a key file"):
        create_app(app_config(tmp_path, database_url))


# --- The migration ----------------------------------------------------------------------------


def test_migration_encrypts_existing_values_and_files_and_its_downgrade_restores_them(
    app: Flask, world: World
) -> None:
    path = stored_file(app, world.attachment_id)
    with app.app_context():
        try:
            downgrade(revision="0003")
            db.engine.dispose()
            assert raw_value(app, "interviews", "notes", world.interview_id) == NOTES
            assert path.read_bytes() == PNG_BYTES
        finally:
            upgrade()
            db.engine.dispose()

    assert raw_value(app, "interviews", "notes", world.interview_id).startswith("enc1:")
    assert crypto.is_encrypted_file(path.read_bytes())
    with app.app_context():
        interview = db.session.get(Interview, world.interview_id)
        attachment = db.session.get(Attachment, world.attachment_id)
        assert interview is not None
        assert attachment is not None
        assert interview.notes == NOTES
        assert len(interview.row_key) == 32
        assert attachment_services.read_stored(attachment) == PNG_BYTES


def test_workers_starting_together_share_one_generated_key_file(tmp_path: Path) -> None:
    first = crypto.load_or_create_keys(tmp_path)
    # A second worker that missed the file a moment ago must not replace it.
    crypto.keys._create_keys_file_once(crypto.keys_file(tmp_path))

    assert crypto.load_or_create_keys(tmp_path) == first
    assert crypto.keys_file(tmp_path).stat().st_mode & 0o777 == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["encryption_keys.json"]


def test_generate_prints_an_entry_that_encryption_keys_accepts(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["keys", "generate"])

    assert result.exit_code == 0, result.output
    [(key_id, key)] = crypto.parse_keys(result.output.strip()).keys
    assert len(key_id) == crypto.KEY_ID_LENGTH
    assert len(key) == crypto.KEY_BYTES
