"""Recommendations: draft from a visit or a report, read, change, move, send, list."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from visits.access.loaders import (
    recommendation_or_404,
    require,
    require_recommendation_editable,
    visit_or_404,
)
from visits.access.perms import RecommendationPerms
from visits.access.rules import (
    can_draft_recommendation,
    can_move_recommendation,
    can_read_content,
    can_send_recommendations,
    is_supervisor,
)
from visits.errors import ChangedMeanwhile, NotFound
from visits.extensions import db
from visits.forms import render_conflict, render_form
from visits.i18n import npm_today
from visits.models import (
    Authority,
    AuthorityAnswer,
    Recommendation,
    RecommendationEvent,
    RecommendationSource,
    RecommendationStatus,
    ThematicArea,
    Visit,
    VisitMember,
)
from visits.models.recommendation import (
    RecommendationLevel,
    recommendation_listing,
    responses_to,
    text_matches,
    visible_condition,
)
from visits.recommendations import bp, lifecycle, responses, services
from visits.recommendations.forms import (
    ListFilterForm,
    MoveForm,
    NewRecommendationForm,
    RecommendationForm,
    ResponseForm,
    SendForm,
)
from visits.web.boundary import commit_once, commit_or_refuse
from visits.web.marks import form_view
from visits.web.numbers import database_id
from visits.web.pagination import paginate

FORM_TEMPLATE = "recommendations/_form.html"
PER_PAGE = 25

ViewResult = Response | tuple[str, int]


def _candidates(form: RecommendationForm, exclude_id: int | None) -> list[Recommendation]:
    """Earlier recommendations this one may repeat, from what the form holds now."""
    return services.repeat_candidates(
        _id_or_none(form.place_id.data),
        _id_or_none(form.authority_id.data),
        ThematicArea.parse(form.area.data),
        exclude_id,
    )


def _id_or_none(raw: Any) -> int | None:
    try:
        return database_id(raw) if raw else None
    except ValueError:
        return None


def _form_page(
    template: str, form: RecommendationForm, visit: Visit | None, action: str, **context: Any
) -> tuple[str, int]:
    return render_form(
        template,
        form,
        visit=visit,
        action=action,
        candidates=_candidates(form, context.get("recommendation_id")),
        **context,
    )


def _page_of(recommendation: Recommendation) -> str:
    return url_for("recommendations.detail", recommendation_id=recommendation.id)


def _new(visit: Visit | None) -> ViewResult:
    form = NewRecommendationForm()
    form.offer(services.findings_for(visit))
    if request.method == "GET" and visit is not None:
        form.authority_id.data = str(visit.place.authority_id)
        form.place_id.data = str(visit.place_id)
        form.level.data = RecommendationLevel.FACILITY.value
        form.source.data = RecommendationSource.VISIT_REPORT.value
    if form.validate_on_submit() and (
        recommendation := commit_once(
            form, _page_of, services.create_recommendation, visit, current_user, form.to_input()
        )
    ):
        flash(
            _("Recommendation %(reference)s saved as a draft.", reference=recommendation.reference),
            "success",
        )
        return redirect(url_for("recommendations.detail", recommendation_id=recommendation.id))
    action = (
        url_for("recommendations.new_from_visit", visit_id=visit.id)
        if visit is not None
        else url_for("recommendations.new")
    )
    return _form_page("recommendations/new.html", form, visit, action)


@bp.route("/visits/<int:visit_id>/recommendations/new", methods=["GET", "POST"])
@form_view
def new_from_visit(visit_id: int) -> ViewResult:
    """Draft a recommendation from the visit's findings."""
    visit = visit_or_404(visit_id)
    require(
        can_draft_recommendation(current_user, visit),
        _("Only the visit's team and supervisors can draft its recommendations."),
    )
    return _new(visit)


@bp.route("/recommendations/new", methods=["GET", "POST"])
@form_view
def new() -> ViewResult:
    """Draft a recommendation from a report (thematic, annual, the SPT's): supervisors."""
    require(can_draft_recommendation(current_user, None))
    return _new(None)


def _detail_page(recommendation: Recommendation, move_form: MoveForm) -> tuple[str, int]:
    move_form.offer_criteria(lifecycle.active_criteria())
    events = db.session.scalars(
        select(RecommendationEvent)
        .where(RecommendationEvent.recommendation_id == recommendation.id)
        .options(selectinload(RecommendationEvent.user))
        .order_by(RecommendationEvent.id)
    ).all()
    perms = RecommendationPerms.of(current_user, recommendation)
    answers = db.session.scalars(responses_to(recommendation.id)).all()
    return render_form(
        "recommendations/detail.html",
        move_form,
        recommendation=recommendation,
        perms=perms,
        events=events,
        responses=answers,
        may_respond=perms.can_move and recommendation.letter_id is not None,
        transitions=lifecycle.allowed_transitions(current_user, recommendation),
        criteria=move_form.criteria.choices,
        sendable=is_supervisor(current_user)
        and recommendation.status is RecommendationStatus.APPROVED,
    )


@bp.route("/recommendations/<int:recommendation_id>")
def detail(recommendation_id: int) -> tuple[str, int]:
    """One recommendation, its rationale (to those who may read the visit) and history."""
    return _detail_page(recommendation_or_404(recommendation_id), MoveForm(formdata=None))


def _saved_values(recommendation: Recommendation) -> list[tuple[Any, Any]]:
    form = RecommendationForm(formdata=None)
    return [
        (form.text.label.text, recommendation.text),
        (form.authority_id.label.text, recommendation.authority.name),
        (form.place_id.label.text, recommendation.place.name if recommendation.place else "—"),
        (form.area.label.text, recommendation.area.label),
        (form.level.label.text, recommendation.level.label),
        (form.priority.label.text, recommendation.priority.label),
        (form.rationale.label.text, recommendation.rationale),
        (form.internal_note.label.text, recommendation.internal_note),
    ]


@bp.route("/recommendations/<int:recommendation_id>/edit", methods=["GET", "POST"])
@form_view
def edit(recommendation_id: int) -> ViewResult:
    """Change a draft, unless someone saved it first."""
    recommendation = recommendation_or_404(recommendation_id)
    require_recommendation_editable(recommendation)
    if request.method == "GET":
        form = RecommendationForm(
            obj=recommendation, finding_ids=[f.id for f in recommendation.findings]
        )
        form.authority_id.data = str(recommendation.authority_id)
        form.place_id.data = str(recommendation.place_id or "")
    else:
        form = RecommendationForm()
    form.offer(services.findings_for(recommendation.visit))
    action = url_for("recommendations.edit", recommendation_id=recommendation.id)
    if form.validate_on_submit():
        try:
            saved = commit_or_refuse(
                form,
                services.update_recommendation,
                recommendation,
                form.to_input(),
                form.seen_version,
            )
        except ChangedMeanwhile:
            db.session.refresh(recommendation)
            return render_conflict(
                form,
                recommendation,
                saved=_saved_values(recommendation),
                action=action,
                form_template=FORM_TEMPLATE,
                recommendation=recommendation,
                visit=recommendation.visit,
                candidates=[],
            )
        if saved is not None:
            flash(
                _("Recommendation %(reference)s saved.", reference=recommendation.reference),
                "success",
            )
            return redirect(url_for("recommendations.detail", recommendation_id=recommendation.id))
    return _form_page(
        "recommendations/edit.html",
        form,
        recommendation.visit,
        action,
        recommendation=recommendation,
        recommendation_id=recommendation.id,
    )


@bp.route("/recommendations/<int:recommendation_id>/transition", methods=["POST"])
@form_view
def transition(recommendation_id: int) -> ViewResult:
    """A step of the life cycle (``lifecycle.RULES``): 409 with the reason when not allowed."""
    recommendation = recommendation_or_404(recommendation_id)
    form = MoveForm()
    form.offer_criteria(lifecycle.active_criteria())
    if not form.validate():
        return _detail_page(recommendation, form)
    target = RecommendationStatus(form.target.data)
    rule = lifecycle.rule_for(recommendation, target)
    require(rule.may(current_user, recommendation), rule.refusal)
    answer = AuthorityAnswer.parse(form.answer.data) if form.answer.data else None
    moved = commit_or_refuse(
        form,
        lifecycle.transition,
        recommendation,
        target,
        current_user,
        form.comment.data or "",
        tuple(form.criteria.data or ()),
        answer,
    )
    if moved is None:
        return _detail_page(recommendation, form)
    flash(
        _(
            "Recommendation %(reference)s is now %(status)s.",
            reference=recommendation.reference,
            status=target.label,
        ),
        "success",
    )
    return redirect(url_for("recommendations.detail", recommendation_id=recommendation.id))


# --- Sending -------------------------------------------------------------------------


@bp.route("/recommendations/send", methods=["GET", "POST"])
@form_view
def send() -> ViewResult:
    """Send approved recommendations to their authority in one letter (supervisors)."""
    require(can_send_recommendations(current_user))
    authority_id = request.args.get("authority", type=database_id)
    authority = db.session.get(Authority, authority_id) if authority_id is not None else None
    if authority_id is not None and authority is None:
        raise NotFound
    form = SendForm()
    if authority is None:
        form.validate_on_submit()  # a letter needs its authority: 422 when posted
        return render_form(
            "recommendations/send.html",
            form,
            authority=None,
            authorities=services.authorities_with_sendable(),
        )
    form.offer(services.sendable(authority.id))
    if request.method == "GET":
        form.sent_on.data = npm_today()
        form.recommendation_ids.data = [choice.value for choice in form.recommendation_ids.choices]
    if form.validate_on_submit() and (
        letter := commit_once(
            form,
            url_for("recommendations.index", authority=authority.id),
            services.send,
            authority,
            current_user,
            form.to_input(),
        )
    ):
        flash(
            _(
                "Letter %(reference)s recorded: the recommendations were sent to %(authority)s.",
                reference=letter.reference,
                authority=authority.name,
            ),
            "success",
        )
        return redirect(url_for("recommendations.index", authority=authority.id))
    return render_form("recommendations/send.html", form, authority=authority, authorities=[])


# --- The list ------------------------------------------------------------------------


def _visible() -> Any:
    team_visits = select(VisitMember.visit_id).where(
        VisitMember.user_id == current_user.id, VisitMember.awaiting_approval.is_(False)
    )
    return visible_condition(
        everything_approved=can_read_content(current_user),
        all_drafts=is_supervisor(current_user),
        team_visit_ids=team_visits,
    )


@bp.route("/recommendations/")
def index() -> tuple[str, int]:
    """Recommendations a reader may see, newest first: by status, authority, text, overdue."""
    require(can_read_content(current_user))
    filters = ListFilterForm(request.args)
    if not filters.validate():
        return render_template("recommendations/index.html", filters=filters, page=None), 400
    search = (
        text_matches(db.session.get_bind().dialect.name, filters.q.data) if filters.q.data else None
    )
    query = recommendation_listing(
        _visible(),
        status=RecommendationStatus.parse(filters.status.data),
        authority_id=int(filters.authority.data) if filters.authority.data else None,
        search=search,
        overdue=bool(filters.overdue.data),
    )
    page = paginate(query, per_page=PER_PAGE)
    return render_template(
        "recommendations/index.html",
        filters=filters,
        page=page,
        may_send=can_send_recommendations(current_user),
        may_draft=can_draft_recommendation(current_user, None),
    ), 200


# --- Responses ---------------------------------------------------------------------


@bp.route("/recommendations/<int:recommendation_id>/responses/new", methods=["GET", "POST"])
@form_view
def new_response(recommendation_id: int) -> ViewResult:
    """Record the authority's response, a progress report or the NPM's assessment
    (supervisors); one response may answer several recommendations of the letter."""
    recommendation = recommendation_or_404(recommendation_id)
    require(
        can_move_recommendation(current_user, recommendation),
        _("Only a supervisor can record the authority's response."),
    )
    form = ResponseForm()
    form.offer(responses.letter_companions(recommendation))
    if request.method == "GET":
        form.received_on.data = npm_today()
    if form.validate_on_submit() and commit_once(
        form,
        _page_of(recommendation),
        responses.record_response,
        recommendation,
        current_user,
        form.to_input(),
    ):
        flash(
            _("Recorded for recommendation %(reference)s.", reference=recommendation.reference),
            "success",
        )
        return redirect(_page_of(recommendation))
    return render_form("recommendations/response.html", form, recommendation=recommendation)
