"""The signed-in user's dashboard, the language switcher, the health check."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from visits.extensions import db
from visits.i18n import choose_language
from visits.main import bp
from visits.main.dashboard import dashboard_for
from visits.web.boundary import commit
from visits.web.marks import public
from visits.web.urls import safe_next_url


@bp.route("/")
def dashboard() -> str:
    """What the signed-in user works on: their visits, reviews and checks due."""
    return render_template("main/dashboard.html", board=dashboard_for(current_user))


@bp.route("/language", methods=["POST"])
@public
def set_language() -> Response:
    """Switch the interface language, signed in (saved to the account) or not."""
    locale = request.form.get("locale", "")
    commit(choose_language, current_user, locale)
    session["locale"] = locale
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.dashboard"))


@bp.route("/healthz")
@public
def healthz() -> tuple[Response, int]:
    """Liveness and database check for the load balancer; says nothing else."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
