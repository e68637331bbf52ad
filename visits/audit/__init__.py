"""The audit trail: who did what, when, from where; append-only and chained.

- ``trail``: recording (``record``, ``record_now``) inside the transaction of the change;
- ``chain``: the hash chain and its verification;
- ``reading``: labels and filters for the page and the export;
- ``export``: the CSV export, streamed;
- ``views``, ``forms``: the audit page (``/admin/audit``) and its filters;
- ``cli``: ``flask audit``.

Services import ``visits.audit`` for ``record``; nothing here imports a service.
See docs/architecture.md, "Audit trail".
"""

from visits.audit.chain import GENESIS, VERIFY_BATCH_SIZE, ChainReport, event_hash, verify_chain
from visits.audit.trail import (
    changed_fields,
    filled_fields,
    object_type_of,
    record,
    record_now,
)

__all__ = [
    "GENESIS",
    "VERIFY_BATCH_SIZE",
    "ChainReport",
    "changed_fields",
    "event_hash",
    "filled_fields",
    "object_type_of",
    "record",
    "record_now",
    "verify_chain",
]
