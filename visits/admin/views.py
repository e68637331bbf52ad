"""Account administration: list, create, an account's page (role, sessions, second
factor), deactivate, reactivate, reset password.

Every change asks for the password again when it was given long ago
(``recent_authentication``): a session left open must not be enough to make
accounts. Changes that would let an account read content wait for a
supervisor's approval (``visits.approvals``).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.access import requires
from visits.admin import bp, services
from visits.admin.forms import NewUserForm, RoleForm, TwoFactorRequirementForm, UserFilterForm
from visits.auth.reauth import recent_authentication
from visits.errors import NotFound
from visits.extensions import db
from visits.forms import EmptyForm, render_form
from visits.models import Role, User
from visits.web.boundary import commit, commit_once, commit_or_refuse
from visits.web.marks import form_view
from visits.web.pagination import paginate

USERS_PER_PAGE = 25


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound
    return user


def acting() -> User:
    return current_user._get_current_object()


def awaiting_approval_notice(account: User) -> None:
    if account.awaiting_approval:
        flash(
            _(
                "%(name)s reads no visit content until a supervisor approves this.",
                name=account.display_name,
            ),
            "info",
        )


@bp.route("/users")
@requires("manage_users")
def users() -> tuple[str, int]:
    """The accounts, filtered by name or email, role and status, a page at a time."""
    filters = UserFilterForm(request.args)
    if not filters.validate():
        return render_template(
            "admin/users.html", filters=filters, page=None, action_form=EmptyForm()
        ), 400
    status = filters.status.data
    query = User.listing(
        search=filters.q.data or "",
        role=Role(filters.role.data) if filters.role.data else None,
        active={"active": True, "inactive": False}.get(status or ""),
    )
    page = paginate(query, per_page=USERS_PER_PAGE)
    return render_template(
        "admin/users.html", filters=filters, page=page, action_form=EmptyForm()
    ), 200


@bp.route("/users/new", methods=["GET", "POST"])
@requires("manage_users")
@recent_authentication()
@form_view
def new_user() -> tuple[str, int]:
    """Create an account; its temporary password is shown once, here."""
    form = NewUserForm()
    if form.validate_on_submit():
        created = commit_once(
            form,
            lambda made: url_for("admin.user", user_id=made[0].id),
            services.create_user,
            email=form.email.data or "",
            display_name=form.display_name.data or "",
            role=Role(form.role.data),
            preferred_locale=form.preferred_locale.data,
            requested_by=acting(),
        )
        if created is not None:
            user, password = created
            awaiting_approval_notice(user)
            return render_template("admin/password_issued.html", user=user, password=password), 201
    return render_form("admin/user_new.html", form)


def _user_page(user: User, role_form: RoleForm) -> tuple[str, int]:
    return render_form(
        "admin/user.html",
        role_form,
        user=user,
        action_form=EmptyForm(formdata=None),
        open_sessions=services.open_session_count(user),
    )


@bp.get("/users/<int:user_id>")
@requires("manage_users")
def user(user_id: int) -> tuple[str, int]:
    """One account: its role, its sessions, its second factor, and what an admin can do."""
    account = get_user_or_404(user_id)
    return _user_page(account, RoleForm(formdata=None, role=account.role.value))


@bp.post("/users/<int:user_id>")
@requires("manage_users")
@recent_authentication()
@form_view
def change_role(user_id: int) -> Response | tuple[str, int]:
    """Give an account another role; a role that reads more content waits for approval."""
    account = get_user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        role = Role(form.role.data)
        changed = commit_or_refuse(form, services.change_role, account, role, acting())
        if changed is not None:
            if changed:
                flash(
                    _("%(name)s is now: %(role)s.", name=account.display_name, role=role.label),
                    "success",
                )
                awaiting_approval_notice(account)
            return redirect(url_for("admin.user", user_id=account.id))
    return _user_page(account, form)


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@requires("manage_users")
@recent_authentication()
def end_sessions(user_id: int) -> Response:
    """Sign an account out on every device, for a lost laptop or phone."""
    account = get_user_or_404(user_id)
    commit(services.end_sessions, account)
    flash(_("%(name)s is signed out everywhere.", name=account.display_name), "success")
    if account.id == current_user.id:
        return redirect(url_for("auth.login"))
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/users/<int:user_id>/two-factor", methods=["POST"])
@requires("manage_users")
@recent_authentication()
def require_two_factor(user_id: int) -> Response:
    """Require a second factor for this account at sign-in, or stop requiring it."""
    account = get_user_or_404(user_id)
    required = bool(TwoFactorRequirementForm().required.data)
    commit(services.require_two_factor, account, required)
    if required:
        message = _("%(name)s must use a second factor to sign in.", name=account.display_name)
    else:
        message = _(
            "A second factor is no longer required of %(name)s by an administrator.",
            name=account.display_name,
        )
    flash(message, "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@requires("manage_users")
@recent_authentication()
def reset_two_factor(user_id: int) -> Response:
    """Remove an account's second factor after a lost phone; its sessions end."""
    account = get_user_or_404(user_id)
    if commit(services.reset_two_factor, account, acting()):
        flash(
            _(
                "The second factor of %(name)s was removed and every session ended. "
                "They set up a new one at their next sign-in.",
                name=account.display_name,
            ),
            "success",
        )
        awaiting_approval_notice(account)
    else:
        flash(_("%(name)s has no second factor set up.", name=account.display_name), "info")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires("manage_users")
@recent_authentication()
def deactivate_user(user_id: int) -> Response:
    """Deactivate an account: it can no longer sign in, its sessions end."""
    account = get_user_or_404(user_id)
    commit(services.set_active, account, False, acting())
    flash(_("%(name)s can no longer sign in.", name=account.display_name), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@requires("manage_users")
@recent_authentication()
def reactivate_user(user_id: int) -> Response:
    """Let a deactivated account sign in again."""
    account = get_user_or_404(user_id)
    commit(services.set_active, account, True, acting())
    flash(_("%(name)s can sign in again.", name=account.display_name), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@requires("manage_users")
@recent_authentication()
def reset_password(user_id: int) -> tuple[str, int]:
    """Replace the password with a temporary one the user must change."""
    account = get_user_or_404(user_id)
    password = commit(services.force_password_reset, account, acting())
    awaiting_approval_notice(account)
    return render_template(
        "admin/password_issued.html", user=account, password=password, sessions_ended=True
    ), 200
