"""An upload form that comes back with what was typed when its file is over the limit.

``MAX_CONTENT_LENGTH`` bounds what a request may send. Werkzeug enforces it
by refusing to read a larger body at all (``RequestEntityTooLarge``, the
413 page): without the upload form's script, which warns before sending,
a person who chose a 40 MB photo loses the caption they typed.

For a view marked ``@keeps_fields_when_too_large`` (``visits.web.marks``)
this request class reads such a body anyway, as long as it declares its
length and is at most ``OVERSIZE_READ_FACTOR`` times the limit: Werkzeug's
own multipart parser reads the form's text fields, each bounded as usual
by ``MAX_FORM_MEMORY_SIZE``, while the files' bytes are counted and thrown
away as they arrive, never kept in memory or on disk. ``request.files`` is
then empty and ``file_left_out()`` is true: the view shows its form again,
with what was typed and the reason, status 413. Reading the rest of the
body (rather than answering in the middle of it) lets the browser show that
answer; a reverse proxy in front stops larger bodies before they reach the
app (README, "Deployment"). Any other request over the limit, a body of an
unknown length, or one larger than the factor allows still gets the 413
page without the body being read.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Request, current_app, request
from werkzeug.formparser import FormDataParser
from werkzeug.wsgi import get_input_stream

# How much larger than MAX_CONTENT_LENGTH a body may be and still be read for
# its text fields: a photo a few megabytes over the limit is the usual case.
OVERSIZE_READ_FACTOR = 2


class _Discarded(io.RawIOBase):
    """Where a too-large file's bytes go: counted, not kept."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        length = len(data)
        self.size += length
        return length

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return 0


def _discard(
    total_content_length: int | None,
    content_type: str | None,
    filename: str | None,
    content_length: int | None = None,
) -> _Discarded:
    return _Discarded()


class AppRequest(Request):
    """Flask's request, reading an over-limit upload's text fields for the views that ask."""

    file_left_out = False

    def _reads_oversized_upload(self) -> bool:
        limit = self.max_content_length
        length = self.content_length
        if limit is None or length is None or not limit < length <= limit * OVERSIZE_READ_FACTOR:
            return False
        if self.mimetype != "multipart/form-data" or self.endpoint is None:
            return False
        view = current_app.view_functions.get(self.endpoint)
        return bool(getattr(view, "keeps_fields_when_too_large", False))

    def _load_form_data(self) -> None:
        if "form" in self.__dict__ or not self._reads_oversized_upload():
            super()._load_form_data()
            return
        limit = (self.max_content_length or 0) * OVERSIZE_READ_FACTOR
        stream = get_input_stream(self.environ, max_content_length=limit)
        parser = FormDataParser(
            stream_factory=_discard,  # type: ignore[arg-type]
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.parameter_storage_class,
        )
        _, form, _files = parser.parse(
            stream, self.mimetype, self.content_length, self.mimetype_params
        )
        self.__dict__.update(stream=stream, form=form, files=self.parameter_storage_class())
        self.file_left_out = True


def file_left_out() -> bool:
    """Whether this request's files were over the limit and left out (its text fields kept)."""
    return bool(getattr(request, "file_left_out", False))
