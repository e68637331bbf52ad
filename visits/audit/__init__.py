"""The audit trail: who did what, when, from where; append-only and chained.

- ``trail``: recording (``record``, ``record_now``) inside the transaction of the change;
  ``record_view``: a view recorded once while the same person keeps looking;
- ``texts``: a person's own words, encrypted apart (``record(..., texts=...)``);
- ``key``: the audit key (``AUDIT_KEY`` or ``instance/audit_key``);
- ``chain``: the keyed chain and its verification;
- ``checkpoints``: the head, kept outside the database, checked by ``verify``;
- ``reading``: labels, filters and what a viewer may see of an event's details;
- ``labels``: what the details' codes (states, roles, fields) mean, translated;
- ``export``: the CSV export, streamed;
- ``views``, ``forms``: the audit page (``/admin/audit``) and its filters;
- ``cli``: ``flask audit``.

Services import ``visits.audit`` for ``record``; nothing here imports a service.
See docs/architecture.md, "Audit trail".
"""

from visits.audit.chain import (
    GENESIS,
    VERIFY_BATCH_SIZE,
    ChainReport,
    event_mac,
    legacy_event_hash,
    verify_chain,
)
from visits.audit.key import audit_key
from visits.audit.texts import private_text
from visits.audit.trail import (
    changed_fields,
    filled_fields,
    object_type_of,
    record,
    record_now,
    record_view,
)

__all__ = [
    "GENESIS",
    "VERIFY_BATCH_SIZE",
    "ChainReport",
    "audit_key",
    "changed_fields",
    "event_mac",
    "filled_fields",
    "legacy_event_hash",
    "object_type_of",
    "private_text",
    "record",
    "record_now",
    "record_view",
    "verify_chain",
]
