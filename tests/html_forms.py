"""Forms as a browser sees them: read from a page's HTML, so that a test can fill in
whatever fields a page offers, including fields added after the test was written;
and a walk that opens pages, fills their forms and sends them."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from flask import Flask
from flask.testing import FlaskClient

# Input types a person types free text into.
TYPED_INPUTS = frozenset({"text", "search", "email", "url", "tel"})
BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})


@dataclass
class Control:
    """One named control: an input (``kind`` is its type), a textarea, a select or a button."""

    kind: str
    name: str
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)

    @property
    def is_typed(self) -> bool:
        """A field a person types free text into."""
        return self.kind == "textarea" or self.kind in TYPED_INPUTS

    @property
    def is_button(self) -> bool:
        return self.kind in BUTTON_TYPES


@dataclass
class PageForm:
    """A ``<form>`` of a page that posts (or, read with ``method="get"``, that gets)."""

    action: str
    controls: list[Control] = field(default_factory=list)

    @property
    def typed_fields(self) -> list[str]:
        return [c.name for c in self.controls if c.is_typed]

    @property
    def file_fields(self) -> list[str]:
        return [c.name for c in self.controls if c.kind == "file"]


class _FormParser(HTMLParser):
    def __init__(self, page_path: str, method: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.method = method
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._textarea: Control | None = None
        self._select: Control | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            if attributes.get("method", "get").lower() == self.method:
                self._form = PageForm(attributes.get("action") or self.page_path)
            return
        if self._form is None:
            return
        name = attributes.get("name", "")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if "data-date" in attributes:
                # The app's date field: a text box a person types a date into.
                kind = "date"
            self._form.controls.append(
                Control(kind, name, attributes.get("value", ""), "checked" in attributes)
            )
        elif tag == "button" and name:
            kind = attributes.get("type", "submit").lower()
            self._form.controls.append(Control(kind, name, attributes.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = Control("textarea", name)
            self._form.controls.append(self._textarea)
        elif tag == "select" and name:
            self._select = Control("select", name)
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = (attributes.get("value"), "selected" in attributes, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._end_option()
            self._select = None
        elif tag == "option":
            self._end_option()

    def _end_option(self) -> None:
        if self._option is None or self._select is None:
            return
        value, selected, text = self._option
        value = "".join(text).strip() if value is None else value
        self._select.options.append(value)
        if selected:
            self._select.selected.append(value)
        self._option = None


def post_forms(html: str, page_path: str, method: str = "post") -> list[PageForm]:
    """Every form of the page that posts (or gets); an empty action sends to the page itself."""
    parser = _FormParser(page_path, method)
    parser.feed(html)
    parser.close()
    return parser.forms


# --- Walking the pages --------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """Open ``page`` as ``role`` and send the form on it that posts to ``endpoint``.

    ``choices`` set fields that are not typed (selects, radios, boxes, dates);
    ``press`` is the button, when a form has several; ``keep_as`` names the id
    the answer redirects to, for later steps. Braces take the scene's ids.
    """

    role: str
    page: str
    endpoint: str
    choices: dict[str, str] = field(default_factory=dict)
    press: tuple[str, str] | None = None
    keep_as: str | None = None


@dataclass
class Walk:
    """What a walk through the pages saw, and what it typed.

    ``texts`` holds each text typed, by (endpoint or table, field name): a
    fresh random one for every field, so that each can be looked for alone.
    """

    texts: dict[tuple[str, str], str] = field(default_factory=dict)
    forms_seen: dict[str, PageForm] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)

    def new(self, where: str, name: str) -> str:
        key, number = (where, name), 1
        while key in self.texts:
            number += 1
            key = (where, f"{name} #{number}")
        self.texts[key] = uuid4().hex
        return self.texts[key]


def open_page(app: Flask, client: FlaskClient, path: str, walk: Walk) -> str:
    """The page's HTML; its forms are noted by the endpoint they post to."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.get_data(as_text=True)
    walk.pages.append(html)
    adapter = app.url_map.bind("localhost")
    for form in post_forms(html, path):
        endpoint, _ = adapter.match(urlsplit(form.action).path, method="POST")
        walk.forms_seen.setdefault(endpoint, form)
    return html


def fill(form: PageForm, step: Step, ids: dict[str, Any], walk: Walk) -> dict[str, Any]:
    """The form as a person sends it: fresh text in every field typed into."""
    data: dict[str, list[Any]] = {}
    radios: dict[str, list[str]] = {}
    for control in form.controls:
        name, value = control.name, control.value
        if control.is_button or name in step.choices:
            continue
        if control.is_typed:
            data.setdefault(name, []).append(walk.new(step.endpoint, name))
        elif control.kind == "file":
            content = b"%PDF-1.4\n" + walk.new(step.endpoint, "file content").encode()
            named = f"{walk.new(step.endpoint, 'file name')}.pdf"
            data[name] = [(io.BytesIO(content + b"\n%%EOF"), named)]
        elif control.kind == "select":
            chosen = control.selected or [next(o for o in control.options if o)]
            data[name] = chosen
        elif control.kind == "radio":
            radios.setdefault(name, []).append(value)
            if control.checked:
                data[name] = [value]
        elif control.kind == "checkbox":
            if control.checked:
                data.setdefault(name, []).append(value or "y")
        elif control.kind == "date":
            data[name] = [value or ids["default_date"]]
        else:  # hidden (the CSRF token, the version), number: as the page has them
            data.setdefault(name, []).append(value)
    for name, options in radios.items():
        data.setdefault(name, [options[0]])
    data.update({name: [value.format(**ids)] for name, value in step.choices.items()})
    if step.press is not None:
        data[step.press[0]] = [step.press[1]]
    return data


def send(
    app: Flask, clients: dict[str, FlaskClient], step: Step, ids: dict[str, Any], walk: Walk
) -> None:
    """Open the step's page, fill its form and send it: the answer must be a redirect."""
    page = step.page.format(**ids)
    html = open_page(app, clients[step.role], page, walk)
    adapter = app.url_map.bind("localhost")
    forms = [
        form
        for form in post_forms(html, page)
        if adapter.match(urlsplit(form.action).path, method="POST")[0] == step.endpoint
    ]
    assert forms, f"{page} shows no form for {step.endpoint}"
    data = fill(forms[0], step, ids, walk)
    multipart = any(isinstance(v, tuple) for values in data.values() for v in values)
    response = clients[step.role].post(
        forms[0].action,
        data=data,
        content_type="multipart/form-data" if multipart else None,
    )
    body = response.get_data(as_text=True)
    errors = re.findall(r'class="invalid-feedback[^"]*">([^<]*)<|<li>([^<]*)</li>', body)
    assert response.status_code == 302, (step, response.status_code, errors)
    if step.keep_as:
        ids[step.keep_as] = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
