"""The w3id.org redirect rules (``vocab/w3id/critical-minerals/``) agree with what the service
serves: every rule lands on a ``/vocab/`` route of one stable home, each identifier reaches the
document it names (the context byte for byte the bundled one, each schema the one whose ``$id``
was asked for), the README lists what w3id.org wants, and docs/vocabulary.md quotes the rules
verbatim.

The rules are run by a small interpreter of the ``mod_rewrite`` subset they use
(``RewriteCond %{HTTP_ACCEPT}`` with ``!``, ``[NC]`` and ``[OR]``; ``RewriteRule`` with
``R=``, ``L`` and ``$1``), in per-directory context as w3id.org runs them (the path relative to
``critical-minerals/``). Anything else in the file fails the parse, so the interpreter cannot
silently disagree with Apache about a directive it does not know.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.conftest import REPO
from vcservice.api import create_app
from vcservice.settings import Settings
from vcservice.vocab import CONTEXT_URL, PROFILES

W3ID = REPO / "vocab" / "w3id" / "critical-minerals"
BASE = "https://w3id.org/critical-minerals/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CONTEXT = REPO / "vcservice" / "jsonld" / "contexts" / "critical-minerals-v1.jsonld"


@dataclass(frozen=True)
class Condition:
    pattern: re.Pattern[str]
    negated: bool
    joined_by_or: bool

    def holds(self, accept: str) -> bool:
        return bool(self.pattern.search(accept)) != self.negated


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    target: str
    status: int
    conditions: tuple[Condition, ...]

    def applies(self, accept: str) -> bool:
        # mod_rewrite: conditions are ANDed, except that [OR] joins one with the next.
        group: list[bool] = []
        for condition in self.conditions:
            group.append(condition.holds(accept))
            if not condition.joined_by_or:
                if not any(group):
                    return False
                group = []
        return not group or any(group)


def _flags(text: str) -> set[str]:
    assert text.startswith("["), text
    assert text.endswith("]"), text
    return set(text[1:-1].split(","))


def parse(htaccess: str) -> list[Rule]:
    rules: list[Rule] = []
    pending: list[Condition] = []
    engine = False
    for line in htaccess.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        match words:
            case ["Options", "-MultiViews"]:
                pass
            case ["RewriteEngine", "on"]:
                engine = True
            case ["RewriteCond", "%{HTTP_ACCEPT}", pattern, *rest]:
                flags = _flags(rest[0]) if rest else set()
                assert flags <= {"NC", "OR"}, line
                negated = pattern.startswith("!")
                compiled = re.compile(
                    pattern.removeprefix("!"), re.IGNORECASE if "NC" in flags else 0
                )
                pending.append(Condition(compiled, negated, "OR" in flags))
            case ["RewriteRule", pattern, target, flags_text]:
                flags = _flags(flags_text)
                status = next(int(f[2:]) for f in flags if f.startswith("R="))
                assert flags - {f"R={status}"} == {"L"}, line
                assert not (pending and pending[-1].joined_by_or), line
                rules.append(Rule(re.compile(pattern), target, status, tuple(pending)))
                pending = []
            case _:
                raise AssertionError(f"a directive the interpreter does not know: {line}")
    assert engine
    assert not pending
    return rules


def redirect(rules: list[Rule], path: str, accept: str = "") -> tuple[int, str] | None:
    """What w3id.org answers for ``BASE + path``: (status, Location), or None (no rule: 404)."""
    for rule in rules:
        found = rule.pattern.search(path)
        if found and rule.applies(accept):
            return rule.status, found.expand(rule.target.replace("$", "\\"))
    return None


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return parse((W3ID / ".htaccess").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def home(rules: list[Rule]) -> str:
    """The stable home: the one origin every rule redirects to."""
    origins = {"{0.scheme}://{0.netloc}".format(urlsplit(rule.target)) for rule in rules}
    assert len(origins) == 1, origins
    (origin,) = origins
    assert origin.startswith("https://")
    return origin


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("w3id")
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp / 'vcservice.db'}",
            public_url="http://localhost:8000",
            secret_key=SecretStr("A" * 43),  # tests only
        )
    )
    with TestClient(app) as test_client:
        yield test_client


def follow(client: TestClient, home: str, location: str, accept: str = "") -> tuple[str, bytes]:
    """GET the redirect target from the service: (media type, body); it must be a 200 any
    origin may read."""
    assert location.startswith(home + "/vocab/"), location
    response = client.get(location.removeprefix(home), headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, (location, response.text[:300])
    assert response.headers["access-control-allow-origin"] == "*"
    return response.headers["content-type"].split(";")[0], response.content


def test_every_rule_lands_on_a_vocab_route(
    rules: list[Rule], home: str, client: TestClient
) -> None:
    for rule in rules:
        targets = [rule.target.replace("$1", p) for p in PROFILES] if "$1" in rule.target else [
            rule.target
        ]  # fmt: skip
        for target in targets:
            follow(client, home, target)


def test_the_context_identifier_reaches_the_bundled_bytes(
    rules: list[Rule], home: str, client: TestClient
) -> None:
    assert CONTEXT_URL == BASE + "v1"
    for accept in ("", "application/ld+json", "application/ld+json, application/json", BROWSER):
        found = redirect(rules, "v1", accept)
        assert found is not None, accept
        assert found[0] == 302
        media_type, body = follow(client, home, found[1], accept)
        assert media_type == "application/ld+json"
        assert body == CONTEXT.read_bytes() == (REPO / "vocab" / CONTEXT.name).read_bytes()


@pytest.mark.parametrize(
    ("accept", "target", "media_type", "source"),
    [
        ("", "/vocab/", "text/html", "vocab/index.html"),
        ("*/*", "/vocab/", "text/html", "vocab/index.html"),
        (BROWSER, "/vocab/", "text/html", "vocab/index.html"),
        ("text/turtle", "/vocab/vocab.ttl", "text/turtle", "vocab/critical-minerals.ttl"),
        ("application/ld+json", "/vocab/vocab.jsonld", "application/ld+json", None),
        ("application/json", "/vocab/vocab.jsonld", "application/ld+json", None),
        # Several formats: /vocab/ weighs the q-values mod_rewrite cannot.
        ("text/turtle;q=0.5, application/ld+json", "/vocab/", "application/ld+json", None),
        ("application/ld+json;q=0.5, text/turtle", "/vocab/", "text/turtle", None),
        ("text/turtle, text/html;q=0.1", "/vocab/", "text/turtle", None),
    ],
)
def test_the_vocabulary_identifier_negotiates(
    rules: list[Rule],
    home: str,
    client: TestClient,
    accept: str,
    target: str,
    media_type: str,
    source: str | None,
) -> None:
    found = redirect(rules, "vocab", accept)
    assert found == (303, home + target)
    got, body = follow(client, home, found[1], accept)
    assert got == media_type
    if source is not None:
        assert body == (REPO / source).read_bytes()
    if media_type == "text/html":
        assert b'id="ChainOfCustodyCertificate"' in body  # vocab#Term lands on the term


@pytest.mark.parametrize("profile", PROFILES)
def test_a_schema_identifier_reaches_the_schema_with_that_id(
    rules: list[Rule], home: str, client: TestClient, profile: str
) -> None:
    identifier = f"{BASE}schemas/v1/{profile}.schema.json"
    schema_file = REPO / "schemas" / f"{profile}.schema.json"
    assert json.loads(schema_file.read_text())["$id"] == identifier
    found = redirect(rules, identifier.removeprefix(BASE))
    assert found is not None
    assert found[0] == 302
    media_type, body = follow(client, home, found[1])
    assert media_type == "application/schema+json"
    assert body == schema_file.read_bytes()


def test_the_namespace_itself_and_nothing_else(rules: list[Rule], home: str) -> None:
    assert redirect(rules, "") == (302, home + "/vocab/")
    for unknown in ("v2", "vocab/", "schemas/v1/../x.schema.json", "schemas/v1/Nope.schema.json"):
        assert redirect(rules, unknown) is None, unknown


def test_the_readme_names_maintainers_and_every_identifier(rules: list[Rule]) -> None:
    readme = (W3ID / "README.md").read_text(encoding="utf-8")
    assert "## Maintainers" in readme
    assert re.search(r"\(@[A-Za-z0-9-]+\)", readme)  # GitHub usernames, as w3id.org asks
    for identifier in (BASE, BASE + "v1", BASE + "vocab"):
        assert identifier in readme


def test_the_docs_quote_the_rules_verbatim() -> None:
    docs = (REPO / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    quoted = re.search(r"```apache\n(.*?)```", docs, re.DOTALL)
    assert quoted is not None
    assert quoted.group(1) == (W3ID / ".htaccess").read_text(encoding="utf-8")


def test_the_readme_says_the_registration_is_pending() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "registration is pending" in readme
    assert "docs/vocabulary.md" in readme
