"""Attachments: upload to a visit or a finding, and the access-checked download."""

from __future__ import annotations

import io

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.access.loaders import (
    content_or_404,
    content_to_delete,
    require_content_editable,
    visit_or_404,
)
from visits.attachments import bp, services
from visits.attachments.forms import UploadForm
from visits.deleted import services as deletion
from visits.errors import NotFound
from visits.forms import DeleteForm, render_form
from visits.models import Attachment
from visits.web.boundary import commit, commit_once
from visits.web.marks import form_view, keeps_fields_when_too_large
from visits.web.uploads import file_left_out

# A downloaded file is never a page of this site: no script, no plugin, no frame.
DOWNLOAD_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'none'; frame-ancestors 'none'; sandbox"
)


def _page_of(attachment: Attachment) -> str:
    if attachment.finding_id is not None:
        return url_for("findings.detail", finding_id=attachment.finding_id)
    return url_for("visits.detail", visit_id=attachment.visit_id, _anchor="attachments")


@bp.route("/visits/<int:visit_id>/attachments", methods=["POST"])
@form_view
@keeps_fields_when_too_large
def upload(visit_id: int) -> Response | tuple[str, int]:
    """Store a photo (without its metadata) or a document, checked by its content.

    A request over ``MAX_CONTENT_LENGTH`` (sent without the form's script)
    brings the form back with its caption, the file left out (413).
    """
    visit = visit_or_404(visit_id)
    require_content_editable(visit)
    form = UploadForm()
    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    if file_left_out():
        form.refuse(services.TooLarge(max_bytes))
    elif form.validate_on_submit():
        chosen = form.file.data
        attachment = commit_once(
            form,
            _page_of,
            services.store_upload,
            visit,
            current_user,
            # One byte more than allowed is enough to know it is too large.
            data=chosen.read(max_bytes + 1),
            filename=chosen.filename or "",
            caption=form.caption.data or "",
            finding_id=form.finding_id.data,
            max_bytes=max_bytes,
        )
        if attachment is not None:
            flash(_("%(name)s was uploaded.", name=attachment.original_name), "success")
            if attachment.finding_id is not None:
                return redirect(url_for("findings.detail", finding_id=attachment.finding_id))
            return redirect(url_for("visits.detail", visit_id=visit.id, _anchor="attachments"))
    return render_form("attachments/upload.html", form, visit=visit)


@bp.route("/attachments/<int:attachment_id>")
def download(attachment_id: int) -> Response:
    """The file, as a download under its cleaned name; photos inline on request only."""
    attachment = content_or_404(Attachment, attachment_id)
    path = services.stored_path(attachment)
    if not path.is_file():
        raise NotFound(_("This file is missing from the storage. Tell an administrator."))
    inline = request.args.get("inline") == "1" and attachment.is_image
    if inline:
        services.record_view(attachment)
    else:
        services.record_download(attachment)
    response = send_file(
        io.BytesIO(services.read_stored(attachment)),
        mimetype=attachment.content_type,
        as_attachment=not inline,
        download_name=attachment.original_name,
        conditional=True,
        etag=attachment.sha256,
        last_modified=attachment.created_at,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    return response


@bp.route("/attachments/<int:attachment_id>/delete", methods=["GET", "POST"])
@form_view
def delete(attachment_id: int) -> Response | tuple[str, int]:
    """Delete a photo or document, with a reason.

    The team may before approval, a supervisor at any time; the file is kept,
    hidden, until a supervisor restores it.
    """
    attachment = content_to_delete(Attachment, attachment_id)
    form = DeleteForm()
    if form.validate_on_submit():
        commit(deletion.soft_delete, attachment, current_user, form.reason.data or "")
        flash(_("%(name)s was deleted.", name=attachment.original_name), "success")
        finding = attachment.finding
        if finding is not None and not finding.is_deleted:
            return redirect(url_for("findings.detail", finding_id=finding.id))
        return redirect(
            url_for("visits.detail", visit_id=attachment.visit_id, _anchor="attachments")
        )
    return render_form(
        "deleted/confirm.html",
        form,
        what=attachment.original_name,
        visit=attachment.visit,
        action=url_for("attachments.delete", attachment_id=attachment.id),
        back=url_for("visits.detail", visit_id=attachment.visit_id, _anchor="attachments"),
    )
