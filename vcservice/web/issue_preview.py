"""The preview a certifier reads before signing: what the credential will state, in words.

Why a preview: a signed credential cannot be taken back (only revoked, visibly), and a form of
fifty fields hides a wrong unit or a wrong upstream pick. The preview says what will be
stated, about which product or company, and which credentials it links to (by name, with the
digest the service computed), before the one button that signs. The JSON is one click away.

Pure: built from a :class:`~vcservice.web.schema_form.Draft` (its labels and values) and the
links the console resolved; no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from vcservice.web.issue_links import Resolved
from vcservice.web.schema_form import KINDS, Draft, FormKind, Widget, humanize
from vcservice.web.words import unit_name

__all__ = ["Group", "LinkView", "Preview", "Row", "preview", "readable"]

#: Pointer endings whose value names what the credential is about.
_ABOUT = ("/product/name", "/issuedToParty/name", "/registeredName", "/facility/name")


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Group:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class LinkView:
    """One upstream credential the new one links to."""

    where: str
    name: str
    kind: str
    url: str
    digest: str
    own: bool
    verified: bool
    note: str


@dataclass(frozen=True)
class Preview:
    kind: FormKind
    name: str
    about: tuple[str, ...]
    valid: str
    groups: tuple[Group, ...]
    links: tuple[LinkView, ...]
    raw: str


def _day(text: str) -> str:
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


def readable(widget: Widget) -> str:
    """A filled field's value as a person reads it: units by name, dates in words, options
    as words (``massBalance`` → "Mass balance"), yes and no."""
    value = widget.value.strip()
    if widget.kind == "enum":
        if widget.pointer.endswith("/unit") or widget.pointer.endswith("UnitOfMeasurement"):
            return unit_name(value)
        return humanize(value) if value.isascii() and value.isalnum() else value
    if widget.kind == "boolean":
        return {"true": "Yes", "false": "No"}.get(value, value)
    if widget.kind == "date":
        return _day(value)
    if widget.kind == "datetime":
        time = value[11:16]
        return _day(value) + (f", {time} UTC" if time and time != "00:00" else "")
    return value


def _rows(group: Widget, links: Mapping[str, Resolved]) -> Iterator[Row]:
    children = {c.pointer.rsplit("/", 1)[-1]: c for c in group.children}
    measured = {"value", "unit"} <= set(children) and children["value"].value.strip()
    for child in group.children:
        if child.kind in ("object", "item", "array"):
            continue
        if measured and child.pointer.endswith("/unit"):
            continue
        if child.kind == "choices":
            if child.values:
                words = ", ".join(humanize(v) if v.isalnum() else v for v in child.values)
                yield Row(child.label, words)
            continue
        if child.kind == "link":
            resolved = links.get(child.pointer)
            if resolved is not None:
                yield Row(child.label, f"{resolved.name} ({resolved.kind})")
            continue
        if not child.value.strip():
            continue
        text = readable(child)
        if measured and child.pointer.endswith("/value"):
            text = f"{text} {unit_name(children['unit'].value.strip())}".strip()
            yield Row(group.label, text)
            continue
        yield Row(child.label, text)


def _groups(
    widget: Widget, path: tuple[str, ...], links: Mapping[str, Resolved]
) -> Iterator[Group]:
    """The filled fields of ``widget`` and of every group inside it, each group titled by
    the labels that locate it ("Credential subject › Authorisation 1")."""
    rows = tuple(_rows(widget, links))
    if rows:
        yield Group(" › ".join(path), rows)
    for child in widget.children:
        if child.kind in ("object", "item"):
            yield from _groups(child, (*path, child.label), links)
        elif child.kind == "array":
            for item in child.children:
                if item.kind in ("object", "item"):
                    yield from _groups(item, (*path, item.label), links)
            listed = tuple(_rows(child, links))  # an array of values or links
            if listed:
                yield Group(" › ".join((*path, child.label)), listed)


def _about(draft: Draft) -> tuple[str, ...]:
    names: list[str] = []
    for widget in draft.widgets().walk():
        value = widget.value.strip()
        if value and widget.pointer.endswith(_ABOUT) and value not in names:
            names.append(value)
    subject = draft.document.get("credentialSubject")
    if not names and isinstance(subject, Mapping) and isinstance(subject.get("name"), str):
        names.append(subject["name"])
    return tuple(names[:6])


def _valid(document: Mapping[str, Any]) -> str:
    start, end = document.get("validFrom"), document.get("validUntil")
    text = f"from {_day(start)}" if isinstance(start, str) else "from when it is signed"
    return text + (f" until {_day(end)}" if isinstance(end, str) else "")


def _where(pointer: str, widgets: Mapping[str, Widget]) -> str:
    """The labels that locate a link ("Authorisation 1 › Endorsement evidence")."""
    parts = pointer.split("/")[1:]
    labels = []
    for end in range(1, len(parts) + 1):
        widget = widgets.get("/" + "/".join(parts[:end]))
        if widget is not None and widget.kind != "array" and widget.label:
            labels.append(widget.label)
    return " › ".join(labels[-3:])


def _plain(title: str, kind: FormKind) -> str:
    """A location said with the kind's name: "Credential subject › Issued to party" →
    "Chain-of-custody certificate › Issued to party" (the subject *is* what is stated)."""
    for generic in ("Credential subject", "Credential subject 1"):
        if title == generic or title.startswith(generic + " › "):
            return kind.title + title[len(generic) :]
    return title


def preview(draft: Draft, links: Mapping[str, Resolved]) -> Preview:
    """What the credential of ``draft`` (its links completed as ``links``) will state."""
    document = draft.document
    root = draft.widgets()
    widgets = {w.pointer: w for w in root.walk() if w.pointer}
    name = document.get("name")
    kind = KINDS[draft.name]
    groups = [
        Group(_plain(g.title, kind) or "The credential", g.rows) for g in _groups(root, (), links)
    ]
    shown = tuple(
        LinkView(
            _plain(_where(pointer, widgets), kind),
            resolved.name,
            resolved.kind,
            str(resolved.link["linkURL"]),
            resolved.digest,
            resolved.own,
            resolved.verified,
            resolved.note,
        )
        for pointer, resolved in links.items()
    )
    return Preview(
        kind=kind,
        name=name if isinstance(name, str) else kind.title,
        about=_about(draft),
        valid=_valid(document),
        groups=tuple(g for g in groups if g.rows),
        links=shown,
        raw=json.dumps(
            {k: v for k, v in document.items() if k != "id"}, indent=2, ensure_ascii=False
        ),
    )
