"""What a person sees in a real browser: signing in, languages, sign-out, accessibility.

Every expected text in another language is read from the compiled catalogs
(``make translations``), never typed in here, so that a translator's change
does not break the tests and an untranslated string does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel import support
from playwright.sync_api import BrowserContext, Page, expect

from tests.support import Account
from visits.i18n import LANGUAGE_NAMES, TRANSLATIONS_DIR
from visits.models import Role

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

expect.set_options(timeout=TIMEOUT_MS)

ROLE_LABELS = {Role.MONITOR: "Monitor", Role.SUPERVISOR: "Supervisor", Role.ADMIN: "Administrator"}
DASHBOARD_LEAD = "This is your working file for the NPM's visits, findings and recommendations."
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
NARROW_VIEWPORT = {"width": 360, "height": 740}


# --- Helpers -----------------------------------------------------------------


@cache
def catalog(locale: str) -> support.Translations:
    translations = support.Translations.load(str(TRANSLATIONS_DIR), [locale])
    assert isinstance(translations, support.Translations), (
        f"no compiled catalog for {locale!r} in {TRANSLATIONS_DIR}: run `make translations`"
    )
    return translations


def tr(locale: str, message: str, **variables: str) -> str:
    """``message`` as the app shows it in ``locale``; fails if it is not translated."""
    if locale == "en":
        text = message
    else:
        text = catalog(locale).gettext(message)
        assert text != message, f"{message!r} has no {locale!r} translation in the catalog"
    return text % variables if variables else text


def sign_in(page: Page, account: Account, password: str | None = None, locale: str = "en") -> None:
    """Fill the sign-in form as a person would, by its labels, and submit it."""
    if "/auth/login" not in page.url:
        page.goto("/auth/login")
    page.get_by_label(tr(locale, "Email"), exact=True).fill(account.email)
    page.get_by_label(tr(locale, "Password"), exact=True).fill(
        account.password if password is None else password
    )
    page.get_by_role("button", name=tr(locale, "Sign in"), exact=True).click()


def expect_dashboard(page: Page, account: Account, locale: str = "en") -> None:
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        tr(locale, "Welcome, %(name)s", name=account.display_name)
    )
    expect(page.locator("html")).to_have_attribute("lang", locale)


def switch_language(page: Page, locale: str) -> None:
    page.get_by_role("button", name=LANGUAGE_NAMES[locale], exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.get_by_role("button", name=LANGUAGE_NAMES[locale], exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )


def assert_no_serious_axe_violations(page: Page) -> None:
    """Run axe-core on the page; fail on serious or critical violations, print them all.

    axe is injected with ``page.evaluate`` (the DevTools protocol), which the
    app's Content-Security-Policy does not block, so the browser context keeps
    enforcing the CSP: no ``bypass_csp`` is needed.

    The mouse is moved off the page's controls first: a button left hovered by
    the last click would be checked in its hover colours, or mid-transition.
    """
    page.mouse.move(0, page.viewport_size["height"] - 1 if page.viewport_size else 0)
    results = Axe().run(page)
    if results.violations_count:
        print(f"axe on {page.url}:\n{results.generate_report()}")
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, f"axe found serious or critical violations on {page.url}:\n" + "\n".join(
        blocking
    )


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the viewport (0 if it fits)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    return max(0, int(width) - int(viewport))


# --- 1. Signing in, per role -------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_each_role_signs_in_and_sees_their_name_and_role(
    request: pytest.FixtureRequest, page: Page, role: Role
) -> None:
    account: Account = request.getfixturevalue(role.value)

    sign_in(page, account)

    expect_dashboard(page, account)
    header = page.get_by_role("banner")
    expect(header.get_by_text(account.display_name, exact=True)).to_be_visible()
    expect(header.get_by_text(ROLE_LABELS[role], exact=True)).to_be_visible()
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()
    users_link = menu.get_by_role("link", name="Users", exact=True)

    if role is Role.ADMIN:
        expect(users_link).to_be_visible()
        users_link.click()
        expect(page).to_have_url(re.compile(r"/admin/users$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Users")
        expect(users_link).to_have_attribute("aria-current", "page")
        table = page.get_by_role("table")
        expect(table.get_by_role("cell", name=account.email, exact=True)).to_be_visible()
        expect(table.get_by_role("cell", name=account.display_name, exact=True)).to_be_visible()
    else:
        expect(users_link).to_have_count(0)
        # Typing the address does not help either.
        page.goto("/admin/users")
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
        expect(page.get_by_role("table")).to_have_count(0)


# --- 2. Languages ------------------------------------------------------------


def test_language_switch_signed_out_then_signed_in_persists(
    page: Page,
    new_context: Callable[..., BrowserContext],
    monitor: Account,
    artifacts_dir: Path,
) -> None:
    page.goto("/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # Signed out: Kyrgyz.
    switch_language(page, "ky")
    ky_sign_in = tr("ky", "Sign in")
    assert ky_sign_in != "Sign in"
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ky_sign_in)
    expect(page.get_by_role("button", name=ky_sign_in, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_have_count(0)

    # Signing in keeps the language chosen before it.
    sign_in(page, monitor, locale="ky")
    expect_dashboard(page, monitor, "ky")
    page.screenshot(path=artifacts_dir / "dashboard-ky.png", full_page=True)

    # Signed in: Russian, saved to the account.
    switch_language(page, "ru")
    ru_heading = tr("ru", "Welcome, %(name)s", name=monitor.display_name)
    assert ru_heading != f"Welcome, {monitor.display_name}"
    expect_dashboard(page, monitor, "ru")
    expect(page.get_by_role("navigation", name=tr("ru", "Main menu"))).to_be_visible()
    page.reload()
    expect_dashboard(page, monitor, "ru")
    page.screenshot(path=artifacts_dir / "dashboard-ru.png", full_page=True)

    # Another browser (English by default) gets Russian once this account signs in.
    other = new_context().new_page()
    sign_in(other, monitor)
    expect_dashboard(other, monitor, "ru")

    # And back to English.
    switch_language(page, "en")
    expect_dashboard(page, monitor, "en")
    expect(page.get_by_text(DASHBOARD_LEAD)).to_be_visible()
    page.screenshot(path=artifacts_dir / "dashboard-en.png", full_page=True)


# --- 3. Sign out, then Back --------------------------------------------------


def test_back_button_after_sign_out_shows_no_private_page(page: Page, monitor: Account) -> None:
    sign_in(page, monitor)
    expect_dashboard(page, monitor)
    expect(page.get_by_text(DASHBOARD_LEAD)).to_be_visible()
    dashboard = page.reload()
    assert dashboard is not None
    assert "no-store" in dashboard.headers.get("cache-control", "")

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    with page.expect_response(re.compile(r"^http://127\.0\.0\.1:\d+/$")) as refetched:
        page.go_back()

    # The dashboard was asked for again (not shown from a cache), and the
    # server sent the signed-out browser to the sign-in page.
    assert refetched.value.status == 302
    expect(page).to_have_url(re.compile(r"/auth/login\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("Please sign in to see this page.")).to_be_visible()
    expect(page.get_by_text(monitor.display_name)).to_have_count(0)
    expect(page.get_by_text(DASHBOARD_LEAD)).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert monitor.display_name not in page.content()


# --- 4. Wrong password -------------------------------------------------------


def test_wrong_password_is_refused_and_the_email_kept(page: Page, monitor: Account) -> None:
    sign_in(page, monitor, password="not the right password")

    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    expect(page.get_by_label("Email", exact=True)).to_have_value(monitor.email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_text(monitor.display_name)).to_have_count(0)


# --- 5. Accessibility (axe-core) ---------------------------------------------

AXE_PAGES = [
    # (path, who is signed in, language)
    pytest.param("/auth/login", None, "en", id="login"),
    pytest.param("/auth/login", None, "ky", id="login-ky"),
    pytest.param("/", Role.MONITOR, "en", id="dashboard"),
    pytest.param("/", Role.SUPERVISOR, "ru", id="dashboard-ru"),
    pytest.param("/", Role.MONITOR, "ky", id="dashboard-ky"),
    pytest.param("/auth/password", Role.MONITOR, "en", id="password"),
    pytest.param("/admin/users", Role.ADMIN, "en", id="admin-users"),
    pytest.param("/admin/users/new", Role.ADMIN, "en", id="admin-new-user"),
    pytest.param("/approvals/", Role.SUPERVISOR, "ky", id="approvals-ky"),
    pytest.param("/no-such-page", Role.MONITOR, "en", id="not-found"),
    pytest.param("/admin/users", Role.MONITOR, "en", id="forbidden"),
]


@pytest.fixture
def still_page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page without animations (Bootstrap honours reduced motion): colours are final."""
    return new_context(reduced_motion="reduce").new_page()


@pytest.mark.parametrize(("path", "role", "locale"), AXE_PAGES)
def test_page_has_no_serious_accessibility_violations(
    still_page: Page, make_user: Callable[..., Account], path: str, role: Role | None, locale: str
) -> None:
    page = still_page
    if role is None:
        page.goto(path)
        if locale != "en":
            switch_language(page, locale)
    else:
        make_user(Role.MONITOR, name="Nurlan Listed")  # a row in the user list
        account = make_user(role, name="Aigul Axe", preferred_locale=locale)
        sign_in(page, account)
        expect_dashboard(page, account, locale)
        page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    assert_no_serious_axe_violations(page)


def test_sign_in_errors_have_no_serious_accessibility_violations(
    still_page: Page, monitor: Account
) -> None:
    sign_in(still_page, monitor, password="not the right password")
    expect(still_page.get_by_role("alert")).to_contain_text("Wrong email or password.")

    assert_no_serious_axe_violations(still_page)


# --- 6. A phone-sized screen -------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "ru", "ky"])
def test_login_and_dashboard_fit_a_360px_screen(
    new_context: Callable[..., BrowserContext],
    make_user: Callable[..., Account],
    locale: str,
) -> None:
    page = new_context(viewport=NARROW_VIEWPORT).new_page()
    account = make_user(Role.ADMIN, name="Aigul Narrow", preferred_locale=locale)

    page.goto("/auth/login")
    if locale != "en":
        switch_language(page, locale)
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(locale, "Sign in"))
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_VIEWPORT["width"], (
        f"the {locale} sign-in page scrolls sideways by {horizontal_overflow(page)}px"
    )

    sign_in(page, account, locale=locale)
    expect_dashboard(page, account, locale)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_VIEWPORT["width"], (
        f"the {locale} dashboard scrolls sideways by {horizontal_overflow(page)}px"
    )
