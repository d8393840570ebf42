"""Result links: the input kept by its digest, re-run through the same verifier, and the JSON
report naming the input digests, the times, every check and the service's version.

The store's part runs on SQLite and on a real PostgreSQL (``tests/pg.py``); the pages' part on
the offline service of ``tests/web/conftest.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.pg import fresh_postgres_database, postgres_server, postgres_url  # noqa: F401
from tests.store.conftest import db_url  # noqa: F401  (both backends, as the store tests)
from tests.web.conftest import passport_bundle
from vcservice import __version__
from vcservice.errors import StoreUnavailableError
from vcservice.links import digest_bytes
from vcservice.service import Service
from vcservice.store import KeyVault, Store, make_engine, migrate
from vcservice.store._schema import SharedResultRow
from vcservice.web import report_pdf, share
from vcservice.web.share import SharedInput

KEEP = timedelta(days=90)
MOST = 10_000


def _copper_text() -> str:
    return json.dumps(passport_bundle())


def _id_of(given: SharedInput) -> str:
    encoded = share.encode_input(given, 1 << 20)
    assert encoded is not None
    return share.result_id(encoded)


def _link_id(html: str) -> str:
    assert 'data-testid="share-link"' in html, "the page has no result link"
    ids = re.findall(r"/verify/r/([0-9a-f]{64})", html)
    assert ids
    return str(ids[0])


# --- the canonical encoding (pure) -----------------------------------------------------------
def test_the_same_input_gives_the_same_id_and_another_input_another() -> None:
    text = _copper_text()
    first = _id_of(SharedInput(text, "", ""))
    assert _id_of(SharedInput(f"\n  {text}\n", "", "")) == first  # the page strips it too
    # beside a text, a typed address plays no part in the verification, nor in the id
    assert _id_of(SharedInput(text, "https://ignored.example/x", "")) == first
    assert _id_of(SharedInput(text, "", "did:web:a.example")) != first
    assert _id_of(SharedInput(text, "", "did:web:a.example,  did:web:b.example")) == _id_of(
        SharedInput(text, "", "did:web:a.example did:web:b.example")
    )
    assert _id_of(SharedInput("", "https://x.example/c", "")) != _id_of(
        SharedInput("", "https://x.example/d", "")
    )
    assert re.fullmatch(r"[0-9a-f]{64}", first)


def test_an_input_round_trips_through_its_encoding() -> None:
    given = SharedInput('  {"a": 1}  ', "", "did:web:a.example, did:web:b.example")
    encoded = share.encode_input(given, 1 << 20)
    assert encoded is not None
    back = share.decode_input(encoded)
    assert back == SharedInput('{"a": 1}', "", "did:web:a.example did:web:b.example")
    assert share.encode_input(back, 1 << 20) == encoded
    for junk in (b"\xff", b"[]", b'{"v": 2}', b'{"v": 1, "text": 1, "url": "", "anchors": []}'):
        assert share.decode_input(junk) is None


def test_an_input_larger_than_the_request_limit_is_not_kept() -> None:
    assert share.encode_input(SharedInput("x" * 2048, "", ""), 2047) is None
    assert share.encode_input(SharedInput("x" * 2048, "", ""), 2048) is not None


# --- the store, on both backends -------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[Store]:  # noqa: F811  (the fixture)
    engine = make_engine(db_url)
    migrate(engine)
    yield Store(engine, KeyVault(bytes(range(32))), clock=clock)
    engine.dispose()


def _rows(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(SharedResultRow)) or 0)


def test_the_store_keeps_an_input_once_by_its_digest(store: Store, clock: Clock) -> None:
    encoded = b'{"anchors":[],"text":"x","url":"","v":1}'
    rid = store.save_shared_result(encoded, keep=KEEP, most=MOST)
    assert rid == hashlib.sha256(encoded).hexdigest() == share.result_id(encoded)
    clock.now += timedelta(days=1)
    assert store.save_shared_result(encoded, keep=KEEP, most=MOST) == rid
    assert _rows(store) == 1
    assert store.shared_result(rid, keep=KEEP) == encoded
    assert store.shared_result("0" * 64, keep=KEEP) is None


def test_old_results_are_not_found_and_pruned_on_the_next_insert(
    store: Store, clock: Clock
) -> None:
    old = store.save_shared_result(b"old", keep=KEEP, most=MOST)
    clock.now += timedelta(days=60)
    kept = store.save_shared_result(b"kept", keep=KEEP, most=MOST)
    clock.now += timedelta(days=31)  # old is 91 days old, kept 31
    assert store.shared_result(old, keep=KEEP) is None
    assert store.shared_result(kept, keep=KEEP) == b"kept"
    assert _rows(store) == 2
    store.save_shared_result(b"new", keep=KEEP, most=MOST)
    assert _rows(store) == 2  # old is gone
    # sharing it again restarts its time
    clock.now += timedelta(days=80)
    store.save_shared_result(b"kept", keep=KEEP, most=MOST)
    clock.now += timedelta(days=80)
    assert store.shared_result(kept, keep=KEEP) == b"kept"


def test_beyond_the_most_kept_the_least_recently_shared_go(store: Store, clock: Clock) -> None:
    """Anyone who may verify may store an input: the table is bounded by count as well."""
    ids = []
    for text in (b"a", b"b", b"c"):
        ids.append(store.save_shared_result(text, keep=KEEP, most=2))
        clock.now += timedelta(minutes=1)
    assert _rows(store) == 2
    assert store.shared_result(ids[0], keep=KEEP) is None
    assert store.shared_result(ids[2], keep=KEEP) == b"c"
    store.save_shared_result(b"b", keep=KEEP, most=2)  # shared again: now the most recent
    clock.now += timedelta(minutes=1)
    store.save_shared_result(b"d", keep=KEEP, most=2)
    assert store.shared_result(ids[1], keep=KEEP) == b"b"
    assert store.shared_result(ids[2], keep=KEEP) is None


# --- the pages ---------------------------------------------------------------------------------
def _verdict(html: str) -> tuple[str, str, str]:
    state = re.search(r'data-state="([a-z]+)"', html)
    verified = re.search(r'data-verified="([a-z]+)"', html)
    failed = re.search(r'data-failed-checks="([^"]*)"', html)
    assert state
    assert verified
    assert failed
    return state.group(1), verified.group(1), failed.group(1)


@pytest.mark.parametrize("bundle", ["bundle.json", "negative/links.digest.json"])
def test_a_result_link_re_runs_the_same_input_to_the_same_verdict(
    client: TestClient, bundle: str
) -> None:
    text = json.dumps(passport_bundle(bundle))
    first = client.post("/verify", data={"credential": text})
    assert first.status_code == 200
    rid = _link_id(first.text)
    assert rid == _id_of(SharedInput(text, "", ""))
    assert 'data-testid="share-qr"' in first.text
    assert f'href="/verify/r/{rid}/report.pdf"' in first.text
    assert f'href="/verify/r/{rid}/report.json"' in first.text
    assert f"http://localhost:8000/verify/r/{rid}" in first.text  # absolute, on public_url
    again = client.get(f"/verify/r/{rid}")
    assert again.status_code == 200
    assert _verdict(again.text) == _verdict(first.text)
    assert again.headers["content-security-policy"].startswith("default-src 'none'")
    # the same input shared twice is the same link
    assert _link_id(client.post("/verify", data={"credential": text}).text) == rid


def test_an_uploaded_file_and_a_qr_address_are_kept_too(client: TestClient) -> None:
    body = _copper_text().encode()
    uploaded = client.post("/verify", files={"file": ("chain.json", body, "application/json")})
    assert _link_id(uploaded.text) == _id_of(SharedInput(body.decode(), "", ""))
    address = "https://credentials.malar-kabel.example/dpp-wire-cu80"
    scanned = client.get("/verify", params={"url": address, "anchors": "did:web:a.example"})
    assert scanned.status_code == 200
    rid = _link_id(scanned.text)
    assert rid == _id_of(SharedInput("", address, "did:web:a.example"))
    assert _verdict(client.get(f"/verify/r/{rid}").text) == _verdict(scanned.text)


def test_the_share_section_holds_the_report_facts_collapsed(client: TestClient) -> None:
    html = client.post("/verify", data={"credential": _copper_text()}).text
    assert '<details class="report-facts" data-testid="report-facts">' in html  # not open
    facts = html[html.index('data-testid="report-facts"') :]
    digest = hashlib.sha256(_copper_text().encode()).hexdigest()
    assert digest in facts
    assert f"vcservice {__version__}" in facts
    assert facts.count("<tr data-outcome=") > 100  # every check, passed ones too


def test_a_store_outage_leaves_the_verdict_without_a_link(
    client: TestClient, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any, **kwargs: Any) -> str:
        raise StoreUnavailableError("the database is unavailable (test)")

    monkeypatch.setattr(service.store, "save_shared_result", down)
    response = client.post("/verify", data={"credential": _copper_text()})
    assert response.status_code == 200
    assert _verdict(response.text)[1] == "true"
    assert 'data-testid="share"' not in response.text


def test_a_store_outage_on_a_result_link_is_try_again(
    client: TestClient, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any, **kwargs: Any) -> bytes:
        raise StoreUnavailableError("the database is unavailable (test)")

    monkeypatch.setattr(service.store, "shared_result", down)
    response = client.get(f"/verify/r/{'a' * 64}")
    assert response.status_code == 503
    assert "try again" in response.text
    assert client.get(f"/verify/r/{'a' * 64}/report.json").status_code == 503


def test_an_input_over_the_request_limit_gets_no_link(client: TestClient, service: Service) -> None:
    text = "eyJhbGciOiJFZERTQSJ9." + "a" * 3000 + ".sig"  # not a credential, still judged
    service.settings.max_body_bytes = 2048
    data = {"credential": text, "anchors": "did:web:accreditation.example.se"}
    response = client.post("/verify", data=data)
    assert response.status_code == 200  # judged (not a credential), shown, not kept
    assert 'data-testid="share"' not in response.text
    with service.store.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(SharedResultRow)) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/verify/r/abc",
        f"/verify/r/{'0' * 64}",
        f"/verify/r/{'A' * 64}",
        f"/verify/r/{'0' * 64}/report.pdf",
        "/verify/r/..%2F..%2Fetc/report.pdf",
    ],
)
def test_an_unknown_or_malformed_link_is_a_plain_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    if response.headers["content-type"].startswith("text/html"):
        assert "This result link is not known here" in response.text or "Not Found" in response.text


def test_an_unknown_json_report_is_a_404_problem(client: TestClient) -> None:
    response = client.get(f"/verify/r/{'0' * 64}/report.json")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "No result is stored under this link" in response.json()["detail"]


def test_the_json_report_names_inputs_times_checks_and_service(
    client: TestClient, service: Service
) -> None:
    text = _copper_text()
    rid = _link_id(client.post("/verify", data={"credential": text}).text)
    response = client.get(f"/verify/r/{rid}/report.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="verification-report-{rid[:16]}.json"'
    data = response.json()
    # what POST /graphs/verify answers for the same graph, plus the report's own fields
    assert data["verified"] is True
    assert data["verificationTime"] == "2026-06-01T00:00:00Z"
    assert data["resultId"] == rid
    assert data["resultUrl"] == f"http://localhost:8000/verify/r/{rid}"
    datetime.fromisoformat(data["checkedAt"].replace("Z", "+00:00"))
    assert data["service"] == {
        "name": "vcservice",
        "version": __version__,
        "url": "http://localhost:8000",
    }
    given = data["input"]
    assert given["kind"] == "text"
    assert given["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert given["digestMultibase"] == digest_bytes(text.encode())
    assert given["trustAnchors"] == ["did:web:accreditation.example.se"]
    credentials = {c["key"]: c["digestMultibase"] for c in given["credentials"]}
    assert len(credentials) == len(data["nodes"]) == 16
    # every digest a hash link carries in the graph is the one the report names
    pinned = {e["to"]: e["digestMultibase"] for e in data["edges"] if "digestMultibase" in e}
    assert pinned
    assert all(credentials[key] == digest for key, digest in pinned.items())
    checks = data["allChecks"]
    assert {c["outcome"] for c in checks} >= {"passed"}
    assert all({"id", "outcome"} <= set(c) for c in checks)
    node_checks = sum(len(n["checks"]) for n in data["nodes"])
    assert len(checks) == node_checks + len(data["checks"])


def test_the_json_report_of_a_broken_chain_names_the_failure(client: TestClient) -> None:
    text = json.dumps(passport_bundle("negative/links.digest.json"))
    rid = _link_id(client.post("/verify", data={"credential": text}).text)
    data = client.get(f"/verify/r/{rid}/report.json").json()
    assert data["verified"] is False
    failed = [c for c in data["allChecks"] if c["outcome"] == "failed"]
    assert any(c["id"] == "links.digest" and c["problem"]["title"] for c in failed)


def test_without_pango_the_pdf_route_names_the_packages(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = _link_id(client.post("/verify", data={"credential": _copper_text()}).text)
    monkeypatch.setattr(report_pdf, "weasyprint", lambda: None)
    response = client.get(f"/verify/r/{rid}/report.pdf")
    assert response.status_code == 503
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in response.text


def test_the_pdf_renderer_fetches_nothing_but_inline_data() -> None:
    module = report_pdf.weasyprint()
    if module is None:
        pytest.skip("WeasyPrint cannot load here (no Pango)")
    fetcher: Callable[[str], Any] = report_pdf._fetcher(module)
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd", "https://example.org/a.css"):
        with pytest.raises(ValueError, match="fetches nothing"):
            fetcher(url)
    response = fetcher("data:text/plain;base64,aGk=")
    assert response.read() == b"hi"
    html = (
        '<link rel="stylesheet" href="file:///etc/passwd"><p>x</p>'
        '<img src="http://127.0.0.1:9/x.png" alt="x">'
    )
    pdf = report_pdf.render_pdf(html)
    assert pdf is not None
    assert pdf.startswith(b"%PDF")


# --- review mends: one id function, every store error a "try again", honest share words ---------
def test_the_pages_result_id_is_the_stores() -> None:
    from vcservice.store._shared import shared_result_id

    assert share.result_id is shared_result_id


def test_any_database_error_on_a_result_link_is_try_again_never_a_500(
    client: TestClient, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise OperationalError("SELECT", {}, Exception("disk I/O error (test)"))

    monkeypatch.setattr(service.store, "shared_result", broken)
    for suffix in ("", "/report.json", "/report.pdf"):
        response = client.get(f"/verify/r/{'a' * 64}{suffix}")
        assert response.status_code == 503, suffix
        assert "Traceback" not in response.text


def test_the_share_section_says_what_is_kept_and_when_it_is_judged(
    client: TestClient, service: Service
) -> None:
    page = client.post("/verify", data={"credential": _copper_text()}).text
    kept = page.split('data-testid="share-kept"', 1)[1].split("</p>", 1)[0]
    assert f"for {service.settings.shared_result_days} days" in kept
    when = " ".join(page.split('data-testid="share-when"', 1)[1].split("</p>", 1)[0].split())
    # the copper bundle carries verificationTime 2026-06-01: every re-run judges as of then
    assert "judged as of 2026-06-01 00:00:00 UTC" in when
    assert "not the moment it is opened" in when
    unpinned = passport_bundle()
    unpinned.pop("verificationTime")
    page = client.post("/verify", data={"credential": json.dumps(unpinned)}).text
    when = " ".join(page.split('data-testid="share-when"', 1)[1].split("</p>", 1)[0].split())
    assert "at the moment it is opened" in when


def test_the_json_report_carries_problem_details_as_the_api_does(client: TestClient) -> None:
    text = json.dumps(passport_bundle("negative/links.digest.json"))
    rid = _link_id(client.post("/verify", data={"credential": text}).text)
    data = client.get(f"/verify/r/{rid}/report.json").json()
    assert data["problemDetails"] == [c["problem"] for c in data["errors"] + data["warnings"]]
    assert data["problemDetails"]


def test_the_printed_facts_list_only_what_did_not_pass_with_counts() -> None:
    data = {
        "input": {"credentials": [{"key": "https://a.example/1"}]},
        "verificationTime": "2026-06-01T00:00:00Z",
        "checkedAt": "2026-06-02T00:00:00Z",
        "service": {},
        "allChecks": [{"id": "proof.valid", "outcome": "passed", "path": "https://a.example/1"}]
        * 470
        + [{"id": "links.digest", "outcome": "failed", "path": "https://a.example/1#/x"}] * 3
        + [{"id": "status.list", "outcome": "indeterminate"}],
    }
    printed = share.report_facts(data, printed=True)
    assert [c["id"] for c in printed["checks"]] == ["links.digest"] * 3 + ["status.list"]
    assert printed["counts"] == "474 checks: 470 passed, 1 could not be checked, 3 failed"
    assert printed["total"] == 474
    assert len(share.report_facts(data)["checks"]) == 474  # the page keeps every one


def test_the_printed_table_of_problems_is_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(share, "MAX_PRINTED_ROWS", 2)
    data = {
        "input": {"credentials": []},
        "verificationTime": "2026-06-01T00:00:00Z",
        "checkedAt": "2026-06-02T00:00:00Z",
        "service": {},
        "allChecks": [{"id": "proof.valid", "outcome": "failed"}] * 5,
    }
    printed = share.report_facts(data, printed=True)
    assert len(printed["checks"]) == 2
    assert printed["left_out"] == 3
    assert printed["counts"] == "5 checks: 5 failed"
