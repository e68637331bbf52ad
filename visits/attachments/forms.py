"""Forms of the attachments area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional

from visits.forms import CreateForm, IdField
from visits.models.attachment import CAPTION_MAX_LENGTH


class UploadForm(CreateForm):
    """A photo or document for a visit, or for one of its findings."""

    file = FileField(
        _l("Photo or document"), validators=[FileRequired(_l("Choose a file to upload."))]
    )
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=CAPTION_MAX_LENGTH)])
    finding_id = IdField(
        _l("Finding"),
        validators=[Optional()],
        refusal=_l("This finding is not one of this visit's."),
    )
    submit = SubmitField(_l("Upload"))
