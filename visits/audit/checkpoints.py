"""Checkpoints: the trail's head, written down where the database's writers cannot reach.

A checkpoint is one JSON line, e.g.
``{"event_id": 812, "hash": "<the event's MAC>", "taken_at": "2026-03-01T06:00:00Z"}``.
``flask audit checkpoint`` prints one (and appends it to a file); kept in an
append-only store apart from the database, the lines let ``flask audit verify
--checkpoint FILE`` prove that the trail was neither cut short nor rewritten
since (see ``visits.audit.chain``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from visits.errors import Invalid

_MAC = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Checkpoint:
    event_id: int
    hash: str
    taken_at: str

    @classmethod
    def now(cls, event_id: int, mac: str) -> Checkpoint:
        taken_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return cls(event_id, mac, taken_at)

    def line(self) -> str:
        return json.dumps(
            {"event_id": self.event_id, "hash": self.hash, "taken_at": self.taken_at},
            separators=(", ", ": "),
        )


def parse_checkpoint(line: str) -> Checkpoint:
    """One line of a checkpoint file; ``Invalid`` says what is wrong with it."""
    try:
        value = json.loads(line)
    except ValueError as error:
        raise Invalid("it is not JSON") from error
    if not isinstance(value, dict):
        raise Invalid("it is not a JSON object")
    event_id, mac, taken_at = value.get("event_id"), value.get("hash"), value.get("taken_at")
    if not isinstance(event_id, int) or isinstance(event_id, bool) or event_id < 1:
        raise Invalid('its "event_id" is not a positive whole number')
    if not isinstance(mac, str) or not _MAC.fullmatch(mac):
        raise Invalid('its "hash" is not 64 lowercase hex digits')
    if not isinstance(taken_at, str):
        raise Invalid('its "taken_at" is not text')
    return Checkpoint(event_id, mac, taken_at)


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the file (blank lines skipped); ``Invalid`` names a bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise Invalid(f"{path} could not be read: {error}") from error
    checkpoints = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            checkpoints.append(parse_checkpoint(line))
        except Invalid as error:
            raise Invalid(f"line {number} of {path} is not a checkpoint: {error}") from error
    return checkpoints


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Add the line at the end of the file (created if need be); nothing before it changes."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(checkpoint.line() + "\n")
