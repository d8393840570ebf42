"""The issuer console over HTTP (TestClient): sign-in, sessions, CSRF, tenants, status, issuing."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.web.conftest import COPPER
from vcservice.api import create_app
from vcservice.credential_terms import describe, document_of
from vcservice.schema_validation import unwrap_credential
from vcservice.service import IssueCommand, Service, StatusPurpose
from vcservice.store import Tenant
from vcservice.store._credentials import backfill_search_text, like_pattern, search_words
from vcservice.web import schema_form
from vcservice.web.console import PAGE_SIZE
from vcservice.web.sessions import LoginThrottle

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
BOTH: tuple[StatusPurpose, ...] = ("revocation", "suspension")


def example_credential(n: int = 0) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": f"https://credentials.example/copper/{n}?lot=a&b=c",
        "type": ["VerifiableCredential", "ExampleCopperCathodeCredential"],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}", "name": "Cu"},
    }


class Issuer:
    """A tenant, its API key, and a client signed in (or not yet) as it."""

    def __init__(self, service: Service, client: TestClient, name: str) -> None:
        self.service = service
        self.client = client
        self.api_key = service.create_tenant(name)["api_key"]
        tenant = service.store.tenant_by_name(name)
        assert tenant is not None
        self.tenant: Tenant = tenant

    def login(self) -> Any:
        response = self.client.post(
            "/console/login", data={"api_key": self.api_key}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        return response

    def csrf(self, path: str = "/console") -> str:
        match = CSRF.search(self.client.get(path).text)
        assert match is not None
        return match[1]

    def issue(
        self,
        n: int = 0,
        status: tuple[StatusPurpose, ...] | None = BOTH,
        fmt: str = "eddsa-rdfc-2022",
    ) -> Any:
        command = IssueCommand(example_credential(n), format=fmt, status_purposes=status or ())
        return self.service.issue(self.tenant, command).secured


@pytest.fixture
def acme(service: Service, client: TestClient) -> Issuer:
    return Issuer(service, client, "acme")


@pytest.fixture
def signed_in(acme: Issuer) -> Issuer:
    acme.login()
    return acme


@pytest.fixture
def other_client(service: Service) -> Iterator[TestClient]:
    with TestClient(create_app(service=service), raise_server_exceptions=False) as test_client:
        yield test_client


def _sessions(service: Service) -> list[Any]:
    with service.store.engine.connect() as connection:
        return list(connection.execute(text("SELECT * FROM console_sessions")).mappings())


def _detail(credential_id: str) -> str:
    return "/console/credential?id=" + quote(credential_id, safe="")


def _status(issuer: Issuer, credential_id: str, action: str, **extra: str) -> Any:
    data = {"csrf": issuer.csrf(), "id": credential_id, "action": action, **extra}
    return issuer.client.post("/console/credential/status", data=data, follow_redirects=False)


# --- sign-in ------------------------------------------------------------------------------
def test_the_login_page_asks_for_the_key_in_a_password_field(client: TestClient) -> None:
    response = client.get("/console/login")
    assert response.status_code == 200
    assert 'type="password"' in response.text
    assert 'autocomplete="current-password"' in response.text
    assert '<label for="api_key">' in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"


def test_signing_in_sets_a_strict_session_cookie_not_the_key(acme: Issuer) -> None:
    response = acme.login()
    assert response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"]
    token = re.match(r"vcs_console=([A-Za-z0-9_-]{43});", cookie)
    assert token is not None, cookie
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/console", "samesite=strict"} <= flags
    assert "secure" not in flags  # plain http here; see the https test
    assert not any(f.startswith(("max-age", "expires")) for f in flags)  # a browser session
    assert acme.api_key not in cookie
    (row,) = _sessions(acme.service)
    assert row["id"] == hashlib.sha256(token[1].encode()).hexdigest()  # the hash, never the token
    assert row["tenant_id"] == acme.tenant.id
    assert acme.client.get("/console").status_code == 200


def test_the_cookie_is_secure_over_https(service: Service, acme: Issuer) -> None:
    with TestClient(create_app(service=service), base_url="https://testserver") as client:
        response = client.post(
            "/console/login", data={"api_key": acme.api_key}, follow_redirects=False
        )
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()


@pytest.mark.parametrize("key", ["vcs_" + "A" * 43, "not-a-key", "", "x" * 5000])
def test_a_wrong_key_shows_the_form_again_with_an_inline_error(
    client: TestClient, acme: Issuer, key: str
) -> None:
    response = client.post("/console/login", data={"api_key": key}, follow_redirects=False)
    assert response.status_code == 401
    assert "set-cookie" not in response.headers
    assert 'role="alert"' in response.text
    assert "That API key is not valid" in response.text
    assert 'aria-invalid="true"' in response.text
    assert key[:20] not in response.text or not key  # the key typed is never echoed back
    assert _sessions(acme.service) == []


def test_repeated_failures_lock_the_address_out_for_a_while(
    client: TestClient, acme: Issuer
) -> None:
    now = [1000.0]
    client.app.state.console_throttle = LoginThrottle(  # type: ignore[attr-defined]
        max_failures=3, window=60, lockout=120, clock=lambda: now[0]
    )
    for _ in range(2):
        assert client.post("/console/login", data={"api_key": "vcs_x"}).status_code == 401
    third = client.post("/console/login", data={"api_key": "vcs_x"})
    assert third.status_code == 429
    assert third.headers["retry-after"] == "120"
    assert "Too many failed sign-ins" in third.text
    # while locked out even the right key is not tried
    locked = client.post("/console/login", data={"api_key": acme.api_key}, follow_redirects=False)
    assert locked.status_code == 429
    now[0] += 121
    acme.login()


def test_failures_spread_over_time_do_not_lock_out() -> None:
    now = [0.0]
    throttle = LoginThrottle(max_failures=3, window=60, lockout=60, clock=lambda: now[0])
    for _ in range(10):
        throttle.failed("192.0.2.1")
        now[0] += 31
    assert throttle.retry_after("192.0.2.1") is None


def test_the_throttle_forgets_the_oldest_addresses_beyond_its_bound() -> None:
    throttle = LoginThrottle(max_failures=1, max_clients=2, clock=lambda: 0.0)
    for n in range(5):
        throttle.failed(f"192.0.2.{n}")
    assert throttle.retry_after("192.0.2.0") is None
    assert throttle.retry_after("192.0.2.4") is not None


def test_a_signed_in_browser_skips_the_login_page(signed_in: Issuer) -> None:
    response = signed_in.client.get("/console/login", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/console"),
        ("GET", "/console/credential?id=x"),
        ("GET", "/console/issue"),
        ("GET", "/console/issue/product-carbon-footprint"),
        ("POST", "/console/credential/status"),
        ("POST", "/console/issue/product-carbon-footprint"),
        ("POST", "/console/logout"),
    ],
)
def test_without_a_session_every_page_leads_to_sign_in(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path, data={"csrf": "x"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"


# --- sessions -------------------------------------------------------------------------------
def _age(service: Service, **columns: datetime) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    with service.store.engine.begin() as connection:
        values = {k: v.replace(tzinfo=None) for k, v in columns.items()}  # SQLite stores naive
        connection.execute(text(f"UPDATE console_sessions SET {assignments}"), values)


def test_an_idle_session_ends(signed_in: Issuer) -> None:
    _age(signed_in.service, last_seen=datetime.now(UTC) - timedelta(minutes=31))
    response = signed_in.client.get("/console", follow_redirects=False)
    assert response.headers["location"] == "/console/login?done=expired"
    assert "Your session has ended" in signed_in.client.get("/console/login?done=expired").text


def test_a_session_ends_after_its_absolute_lifetime(signed_in: Issuer) -> None:
    _age(signed_in.service, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert signed_in.client.get("/console", follow_redirects=False).status_code == 303


def _last_seen(issuer: Issuer) -> datetime:
    token = issuer.client.cookies["vcs_console"]
    session = issuer.service.store.console_session(token, idle=timedelta(days=1))
    assert session is not None
    return session.last_seen


def test_use_keeps_a_session_alive_but_writes_at_most_once_a_minute(signed_in: Issuer) -> None:
    recent = datetime.now(UTC) - timedelta(seconds=20)
    _age(signed_in.service, last_seen=recent)
    assert signed_in.client.get("/console").status_code == 200
    assert abs((_last_seen(signed_in) - recent).total_seconds()) < 1
    _age(signed_in.service, last_seen=datetime.now(UTC) - timedelta(minutes=29))
    assert signed_in.client.get("/console").status_code == 200
    assert datetime.now(UTC) - _last_seen(signed_in) < timedelta(seconds=5)


def test_signing_out_ends_the_session_for_good(signed_in: Issuer) -> None:
    token = signed_in.client.cookies["vcs_console"]
    response = signed_in.client.post(
        "/console/logout", data={"csrf": signed_in.csrf()}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?done=signed-out"
    assert 'vcs_console=""' in response.headers["set-cookie"]
    assert _sessions(signed_in.service) == []
    signed_in.client.cookies.set("vcs_console", token, path="/console")  # a replayed cookie
    assert signed_in.client.get("/console", follow_redirects=False).status_code == 303


def test_deleting_the_api_key_ends_its_sessions(signed_in: Issuer) -> None:
    with signed_in.service.store.engine.begin() as connection:
        connection.execute(text("DELETE FROM api_keys"))
    assert signed_in.client.get("/console", follow_redirects=False).status_code == 303
    assert _sessions(signed_in.service) == []


def test_signing_in_purges_expired_sessions(signed_in: Issuer, other_client: TestClient) -> None:
    _age(signed_in.service, expires_at=datetime.now(UTC) - timedelta(hours=1))
    Issuer.login(_as(signed_in, other_client))
    assert len(_sessions(signed_in.service)) == 1


def _as(issuer: Issuer, client: TestClient) -> Issuer:
    twin = object.__new__(Issuer)
    twin.__dict__.update(issuer.__dict__, client=client)
    return twin


# --- CSRF and origins -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("csrf", "headers"),
    [
        (None, {}),
        ("0" * 64, {}),
        ("", {}),
        ("ok", {"Origin": "https://evil.example"}),
        ("ok", {"Origin": "null"}),
        ("ok", {"Origin": "null", "Sec-Fetch-Site": "cross-site"}),
        ("ok", {"Sec-Fetch-Site": "cross-site"}),
        ("ok", {"Sec-Fetch-Site": "same-site"}),
    ],
)
def test_a_forged_status_change_is_refused(
    signed_in: Issuer, csrf: str | None, headers: dict[str, str]
) -> None:
    secured = signed_in.issue()
    data = {"id": secured["id"], "action": "suspend"}
    if csrf is not None:
        data["csrf"] = signed_in.csrf() if csrf == "ok" else csrf
    response = signed_in.client.post(
        "/console/credential/status", data=data, headers=headers, follow_redirects=False
    )
    assert response.status_code == 403
    assert "Request refused" in response.text
    assert signed_in.service.verify_credential(secured).verified


def test_another_sessions_csrf_token_does_not_do(
    signed_in: Issuer, other_client: TestClient
) -> None:
    theirs = _as(signed_in, other_client)
    theirs.login()
    secured = signed_in.issue()
    data = {"csrf": theirs.csrf(), "id": secured["id"], "action": "suspend"}
    response = signed_in.client.post("/console/credential/status", data=data)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://localhost:8000"},
        {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-origin"},
        {},
    ],
)
def test_the_service_own_origins_are_accepted(signed_in: Issuer, headers: dict[str, str]) -> None:
    secured = signed_in.issue()
    data = {"csrf": signed_in.csrf(), "id": secured["id"], "action": "suspend"}
    response = signed_in.client.post(
        "/console/credential/status", data=data, headers=headers, follow_redirects=False
    )
    assert response.status_code == 303


def test_a_cross_origin_login_is_refused(acme: Issuer) -> None:
    response = acme.client.post(
        "/console/login", data={"api_key": acme.api_key}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "path", ["/console/login", "/console/logout", "/console/credential/status", "/console/issue/x"]
)
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\nbroken"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\n"),
        ("application/x-www-form-urlencoded", b"a=%ZZ&" * 3000),
        ("application/x-www-form-urlencoded", b"\xff\xfe=\xff"),
        ("text/plain", b"api_key=vcs_x"),
        ("application/json", b'{"api_key": 1}'),
    ],
)
def test_malformed_forms_are_refused_never_a_500(
    signed_in: Issuer, path: str, content_type: str, body: bytes
) -> None:
    response = signed_in.client.post(
        path, content=body, headers={"Content-Type": content_type}, follow_redirects=False
    )
    assert 300 <= response.status_code < 500, (response.status_code, response.text[:300])


def test_too_many_fields_are_refused(signed_in: Issuer) -> None:
    body = "&".join(f"f{n}=v" for n in range(50))
    response = signed_in.client.post(
        "/console/credential/status",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400


# --- credentials and their status ----------------------------------------------------------
ROW_LINK = re.compile(r'<a href="/console/credential\?id=([^"]+)" data-testid="credential-link">')


def untp_example(name: str) -> dict[str, Any]:
    """A copper example as a certifier would submit it: unsigned, without the parts the
    service sets (id, issuer, status, proof) or credits kept elsewhere."""
    document, _ = unwrap_credential(json.loads((COPPER / name).read_text()))
    document = {
        k: v for k, v in document.items() if k not in ("id", "issuer", "credentialStatus", "proof")
    }
    subjects = document["credentialSubject"]
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        subject.pop("creditRegistry", None)
        subject.pop("creditReceipt", None)
    return document


def issue_named(issuer: Issuer, name: str, n: int = 0, fmt: str = "vc+jwt") -> Any:
    document = {**example_credential(n), "name": name}
    command = IssueCommand(document, format=fmt, status_purposes=())
    return issuer.service.issue(issuer.tenant, command).secured


COPPER_CHAIN = (
    "dpp-wire-cu80.json",
    "move-wire-cu80.json",
    "make-wire.json",
    "claim-computers.json",
    "coc-certificate-wire.json",
    "pcf-cathode-cu80.json",
    "recycled-content-scrap.json",
    "accreditation.json",
)


@pytest.fixture
def copper(signed_in: Issuer) -> Issuer:
    """A tenant that issued the copper chain (as JWTs: their names are not in the stored
    text, only in the base64url payload)."""
    for name in COPPER_CHAIN:
        command = IssueCommand(untp_example(name), format="vc+jwt", status_purposes=BOTH)
        signed_in.service.issue(signed_in.tenant, command)
    return signed_in


def _names(html: str) -> list[str]:
    return re.findall(r'data-testid="credential-link">([^<]*)</a>', html)


def _search(issuer: Issuer, query: str, **params: str) -> Any:
    return issuer.client.get("/console", params={"q": query, **params})


def test_the_list_shows_the_tenants_credentials_newest_first_in_pages(
    signed_in: Issuer, service: Service
) -> None:
    for n in range(PAGE_SIZE + 2):
        issue_named(signed_in, f"Copper lot {n:02d}", n)
    Issuer(service, signed_in.client, "rival").issue(999)
    first = signed_in.client.get("/console")
    assert first.status_code == 200
    assert len(ROW_LINK.findall(first.text)) == PAGE_SIZE
    assert _names(first.text)[:2] == ["Copper lot 26", "Copper lot 25"]
    assert f"1–{PAGE_SIZE} of {PAGE_SIZE + 2}" in first.text
    assert 'href="/console?page=2"' in first.text
    assert 'rel="prev"' not in first.text
    assert "credentials.example/copper/999" not in first.text
    second = signed_in.client.get("/console?page=2")
    assert second.text.count('data-testid="credential-row"') == 2
    assert _names(second.text) == ["Copper lot 01", "Copper lot 00"]
    assert f"{PAGE_SIZE + 1}–{PAGE_SIZE + 2} of {PAGE_SIZE + 2}" in second.text
    assert 'href="/console?page=1"' in second.text
    assert 'rel="next"' not in second.text
    assert "Example copper cathode credential" in second.text  # a type nobody named, in words
    for odd in ("abc", "-3", "0", "99999999999999999999"):
        assert signed_in.client.get(f"/console?page={odd}").status_code == 200
    beyond = signed_in.client.get("/console?page=3")
    assert "No credentials on this page: there are 27." in beyond.text
    assert 'href="/console?page=1"' in beyond.text


def test_the_list_names_products_kinds_dates_and_status_in_words(copper: Issuer) -> None:
    listed = copper.client.get("/console")
    assert listed.status_code == 200
    names = _names(listed.text)
    assert len(names) == len(COPPER_CHAIN)
    assert names[-1] == "Digital product passport — copper wire Cu 8.0 MIX, lot MKW-2026-031"
    assert names[0] == "Accreditation of Nordic Metals Certification AB"
    for words in (
        "Product passport",
        "Traceability event – move",
        "Traceability event – make",
        "Traceability event – claim",
        "Certificate – chain of custody",
        "Certificate – carbon footprint",
        "Certificate – recycled content",
        "Accreditation",
        "Copper wire 8 mm, Cu 8.0 MIX",
        "Copper cathode grade A, Cu 8.0 MIX; Copper wire 8 mm, Cu 8.0 MIX",
        'data-testid="state">active<',
    ):
        assert words in listed.text, words
    today = datetime.now(UTC)
    assert f">{today.day} {today:%b} {today.year}</time>" in listed.text
    for jargon in ("urn:uuid", "DigitalProductPassport", "MoveEvent", "vc+jwt"):
        assert jargon not in listed.text, jargon


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("passport", ["Digital product passport — copper wire Cu 8.0 MIX, lot MKW-2026-031"]),
        ("PASSPORT", ["Digital product passport — copper wire Cu 8.0 MIX, lot MKW-2026-031"]),
        (
            "nordlys",
            [
                "Computers: 45 t of low-carbon copper claimed (Cu 8.0 MIX credits used up)",
                "Sale of 45 t Cu 8.0 MIX wire (lot MKW-2026-031) with its credits to "
                "Nordlys Computers",
            ],
        ),
        (
            "event move",
            [
                "Sale of 45 t Cu 8.0 MIX wire (lot MKW-2026-031) with its credits to "
                "Nordlys Computers"
            ],
        ),
        (
            "  wire   sale  ",
            [
                "Sale of 45 t Cu 8.0 MIX wire (lot MKW-2026-031) with its credits "
                "to Nordlys Computers"
            ],
        ),
        ("Skellefteå recycled", []),
        ("nickel", []),
    ],
)
def test_search_matches_every_word_in_name_product_or_kind(
    copper: Issuer, query: str, expected: list[str]
) -> None:
    found = _search(copper, query)
    assert found.status_code == 200
    assert _names(found.text) == expected
    if expected:
        count = len(expected)
        assert (
            f"{count} {'credential matches' if count == 1 else 'credentials match'}" in found.text
        )
    else:
        assert "No credential matches" in found.text
    assert f'value="{" ".join(query.split())}"' in found.text.replace("&#34;", '"')


def test_search_by_product_and_by_certificate_kind(copper: Issuer) -> None:
    wire = _names(_search(copper, "copper wire 8 mm").text)
    assert len(wire) == 4  # passport, sale, drawing, certificate: all about the wire
    assert "Accreditation of Nordic Metals Certification AB" not in wire
    certificates = _names(_search(copper, "certificate").text)
    assert len(certificates) == 3


def test_search_by_id(signed_in: Issuer) -> None:
    secured = issue_named(signed_in, "Copper lot", 7, fmt="eddsa-rdfc-2022")
    issue_named(signed_in, "Copper lot", 8, fmt="eddsa-rdfc-2022")
    found = _search(signed_in, "copper/7?lot")
    assert ROW_LINK.findall(found.text) == [quote(secured["id"], safe="")]


def test_search_escapes_like_wildcards(signed_in: Issuer) -> None:
    for n, name in enumerate(("Recycled 50% copper", "Recycled 500 t copper", "Lot_A", "LotXA")):
        issue_named(signed_in, name, n)
    assert _names(_search(signed_in, "50%").text) == ["Recycled 50% copper"]
    assert _names(_search(signed_in, "lot_a").text) == ["Lot_A"]
    assert _names(_search(signed_in, "%").text) == ["Recycled 50% copper"]
    assert _names(_search(signed_in, "_").text) == ["Lot_A"]
    assert _names(_search(signed_in, "\\").text) == []


def test_search_pages_keep_the_query(signed_in: Issuer) -> None:
    for n in range(PAGE_SIZE + 3):
        issue_named(signed_in, f"{'Anode' if n % 2 else 'Wire'} lot {n:02d}", n)
    first = _search(signed_in, "anode")
    total = (PAGE_SIZE + 3) // 2
    assert f"{total} credentials match “anode”, newest first." in " ".join(first.text.split())
    assert 'rel="next"' not in first.text
    every = _search(signed_in, "lot")
    assert 'href="/console?q=lot&amp;page=2"' in every.text
    second = _search(signed_in, "lot", page="2")
    assert f"“lot”: {PAGE_SIZE + 1}–{PAGE_SIZE + 3} of {PAGE_SIZE + 3}" in second.text
    assert 'href="/console?q=lot&amp;page=1"' in second.text
    assert len(_names(second.text)) == 3
    beyond = _search(signed_in, "lot", page="9")
    assert f"No credentials on this page: there are {PAGE_SIZE + 3}." in beyond.text
    assert 'href="/console?q=lot&amp;page=1"' in beyond.text


def test_a_search_never_shows_another_tenants_credentials(
    signed_in: Issuer, service: Service, other_client: TestClient
) -> None:
    rival = Issuer(service, other_client, "rival")
    issue_named(rival, "Rival copper wire", 1)
    issue_named(signed_in, "Our copper wire", 2)
    assert _names(_search(signed_in, "copper").text) == ["Our copper wire"]
    assert _names(_search(signed_in, "rival").text) == []
    assert _names(_search(signed_in, "credentials.example/copper/1").text) == []
    records, total = service.search_credentials(rival.tenant, "", limit=10, offset=0)
    assert (len(records), total) == (1, 1)


@pytest.mark.parametrize("query", ["x" * 201, " ".join("abcdefghi")])
def test_an_overlong_search_is_a_clear_400(signed_in: Issuer, query: str) -> None:
    refused = _search(signed_in, query)
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert "Shorten it and try again." in refused.text
    assert 'aria-invalid="true"' in refused.text


def test_search_runs_in_the_store_over_extracted_words(signed_in: Issuer, service: Service) -> None:
    """The stored JWT does not contain the name; the extracted words do, and rows saved before
    migration 0008 get theirs from the backfill (found by id only until then)."""
    secured = issue_named(signed_in, "Copper anode slime", 3)
    assert "anode" not in json.dumps(secured)  # an envelope: the name is in base64url
    with service.store.engine.begin() as connection:
        connection.execute(text("UPDATE credentials SET search_text = NULL"))
    assert _names(_search(signed_in, "anode").text) == []
    assert len(_names(_search(signed_in, "COPPER/3").text)) == 1  # by id, even meanwhile
    assert backfill_search_text(service.store.engine, batch=1) == 1
    assert backfill_search_text(service.store.engine) == 0
    assert _names(_search(signed_in, "anode").text) == ["Copper anode slime"]


def test_like_patterns_bind_escaped_words() -> None:
    assert like_pattern("50%") == "%50\\%%"
    assert like_pattern("a_b") == "%a\\_b%"
    assert like_pattern("c:\\x") == "%c:\\\\x%"
    assert search_words("  Copper  copper WIRE ") == ["copper", "wire"]


def test_terms_of_odd_documents_never_fail() -> None:
    for odd in ({}, {"type": 7}, {"credentialSubject": [1, None, {"name": 3}]}, "not.a.jwt", 5):
        terms = describe(document_of(odd))
        assert (terms.kind, terms.name, terms.products) == ("Credential", "", ())
    assert describe({"type": ["VerifiableCredential", "ACMECopperCert"]}).kind == (
        "ACME copper cert"
    )
    long_name = describe({"name": "x" * 500}).name
    assert len(long_name) == 200
    assert long_name.endswith("…")


def test_the_detail_page_of_a_credential_with_an_awkward_id(signed_in: Issuer) -> None:
    secured = signed_in.issue()
    page = signed_in.client.get(_detail(secured["id"]))
    assert page.status_code == 200
    assert "https://credentials.example/copper/0?lot=a&amp;b=c" in page.text
    assert "ExampleCopperCathodeCredential" in page.text
    assert 'data-testid="state">active<' in page.text
    assert "I understand revocation is permanent" in page.text
    assert ">Suspend</button>" in page.text
    raw = re.search(r'<pre data-testid="raw"[^>]*>(.*?)</pre>', page.text, re.S)
    assert raw is not None
    assert "DataIntegrityProof" in raw[1]


def test_the_detail_page_decodes_a_jwt(signed_in: Issuer) -> None:
    secured = signed_in.issue(fmt="vc+jwt", status=None)
    page = signed_in.client.get(_detail(example_credential()["id"]))
    assert page.status_code == 200, secured
    assert 'data-testid="contents"' in page.text
    assert "without a status entry" in page.text


def test_another_tenants_credential_is_not_found(
    signed_in: Issuer, service: Service, other_client: TestClient
) -> None:
    rival = Issuer(service, other_client, "rival")
    secured = rival.issue(7)
    assert signed_in.client.get(_detail(secured["id"])).status_code == 404
    assert signed_in.client.get(_detail("urn:uuid:nothing")).status_code == 404
    assert signed_in.client.get("/console/credential").status_code == 404
    assert signed_in.client.get("/console/credential?id=" + "x" * 5000).status_code == 404
    response = _status(signed_in, secured["id"], "revoke", confirm="yes")
    assert response.status_code == 404
    assert service.verify_credential(secured).verified


def test_revoking_asks_for_confirmation_then_is_final(signed_in: Issuer, service: Service) -> None:
    secured = signed_in.issue()
    unconfirmed = _status(signed_in, secured["id"], "revoke")
    assert unconfirmed.status_code == 400
    assert "Tick “I understand revocation is permanent”" in unconfirmed.text
    assert service.verify_credential(secured).verified

    response = _status(signed_in, secured["id"], "revoke", confirm="yes")
    assert response.status_code == 303
    assert response.headers["location"] == _detail(secured["id"]) + "&done=revoked"
    page = signed_in.client.get(response.headers["location"])
    assert "The credential is revoked" in page.text
    assert 'data-testid="state">revoked<' in page.text
    assert "I understand revocation is permanent" not in page.text
    assert ">Reinstate</button>" not in page.text
    report = service.verify_credential(secured)
    assert not report.verified
    assert any(c.id.startswith("status") for c in report.errors), report.to_dict()
    listing = signed_in.client.get("/console")
    assert 'data-testid="state">revoked<' in listing.text
    # there is no way back, whatever is posted
    again = _status(signed_in, secured["id"], "unrevoke")
    assert again.status_code == 400
    assert not service.verify_credential(secured).verified


def test_suspending_and_reinstating(signed_in: Issuer, service: Service) -> None:
    secured = signed_in.issue()
    response = _status(signed_in, secured["id"], "suspend")
    assert response.status_code == 303
    page = signed_in.client.get(response.headers["location"])
    assert 'data-testid="state">suspended<' in page.text
    assert ">Reinstate</button>" in page.text
    assert not service.verify_credential(secured).verified
    response = _status(signed_in, secured["id"], "reinstate")
    assert response.headers["location"].endswith("&done=reinstated")
    assert service.verify_credential(secured).verified


def test_a_credential_without_a_suspension_entry_cannot_be_suspended(
    signed_in: Issuer,
) -> None:
    secured = signed_in.issue(status=("revocation",))
    response = _status(signed_in, secured["id"], "suspend")
    assert response.status_code == 404
    assert "no suspension status entry" in response.text


def test_notices_come_from_a_fixed_list(signed_in: Issuer) -> None:
    page = signed_in.client.get("/console?done=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>" not in page.text
    assert 'data-testid="notice"' not in page.text


# --- issuing ----------------------------------------------------------------------------------
EXAMPLES = {
    "chain-of-custody-certificate": "coc-certificate-wire.json",
    "product-carbon-footprint": "pcf-cathode-cu80.json",
    "recycled-content": "recycled-content-cathode-re.json",
    "accreditation": "accreditation.json",
}


def example_values(profile: str) -> dict[str, str]:
    document, _ = unwrap_credential(json.loads((COPPER / EXAMPLES[profile]).read_text()))
    form = schema_form.form_for(profile)
    return dict(form.values(form.from_document(document)))


def test_every_offered_profile_has_an_example() -> None:
    # The other forms are issued from their templates in tests/web/test_console_issue.py.
    assert set(EXAMPLES) <= set(schema_form.PROFILES)


class CopperLinks:
    """Serves the copper chain's credentials at their URLs: the upstream credentials the
    examples link to, which the console fetches to compute their digests."""

    def __init__(self) -> None:
        self.documents = json.loads((COPPER / "bundle.json").read_text())["documents"]

    def fetch(self, url: str) -> Any:
        return self.documents[url]


def test_the_choice_of_forms(signed_in: Issuer) -> None:
    page = signed_in.client.get("/console/issue")
    assert page.status_code == 200
    for name, title in schema_form.PROFILES.items():
        assert f'<a href="/console/issue/{name}">{title}</a>' in page.text
    assert signed_in.client.get("/console/issue/no-such-profile").status_code == 404


def test_the_blank_form_offers_the_tenants_formats(signed_in: Issuer) -> None:
    page = signed_in.client.get("/console/issue/product-carbon-footprint")
    assert page.status_code == 200
    assert '<option value="vc+jwt" selected>' in page.text
    assert '<option value="eddsa-rdfc-2022">' in page.text
    assert "ecdsa-rdfc-2019" not in page.text  # an Ed25519 tenant cannot sign those
    assert '<label for="revocable">' in page.text


@pytest.mark.parametrize("profile", sorted(EXAMPLES))
def test_issuing_each_profile_from_its_form(
    signed_in: Issuer, service: Service, profile: str
) -> None:
    service.network_links = CopperLinks()
    values = example_values(profile)
    data = {
        **values,
        "csrf": signed_in.csrf(),
        "format": "eddsa-rdfc-2022",
        "revocable": "yes",
        "suspendable": "yes",
        "confirm": "sign",  # the preview's "Sign and issue"
    }
    response = signed_in.client.post(f"/console/issue/{profile}", data=data, follow_redirects=False)
    assert response.status_code == 303, _errors(response.text)
    location = response.headers["location"]
    assert location.startswith("/console/credential?id=urn%3Auuid%3A")
    assert location.endswith("&done=issued")
    page = signed_in.client.get(location)
    assert "The credential was issued." in page.text
    assert 'data-testid="status-revocation"' in page.text
    assert 'data-testid="status-suspension"' in page.text
    (record,) = service.store.credentials(signed_in.tenant.id)
    assert record.format == "eddsa-rdfc-2022"
    assert not record.published
    assert record.document["issuer"]["id"] == signed_in.tenant.did
    assert service.verify_credential(record.document).verified


def test_issue_options_are_honoured(signed_in: Issuer, service: Service) -> None:
    service.network_links = CopperLinks()
    data = {
        **example_values("product-carbon-footprint"),
        "csrf": signed_in.csrf(),
        "format": "vc+jwt",
        "publish": "yes",
        "confirm": "sign",
    }
    response = signed_in.client.post(
        "/console/issue/product-carbon-footprint", data=data, follow_redirects=False
    )
    assert response.status_code == 303, _errors(response.text)
    (record,) = service.store.credentials(signed_in.tenant.id)
    assert record.format == "vc+jwt"
    assert record.published
    assert service.store.allocations(signed_in.tenant.id, record.id) == []


def test_a_format_the_tenant_cannot_sign_is_refused(signed_in: Issuer, service: Service) -> None:
    data = {
        **example_values("product-carbon-footprint"),
        "csrf": signed_in.csrf(),
        "format": "ecdsa-rdfc-2019",
    }
    response = signed_in.client.post("/console/issue/product-carbon-footprint", data=data)
    assert response.status_code == 400
    assert "Choose one of the offered formats" in response.text
    assert service.store.credentials(signed_in.tenant.id) == []


def _errors(html: str) -> list[str]:
    return re.findall(r'role="alert"[^>]*>(.*?)</', html, re.S) + re.findall(
        r'class="field-error"[^>]*>(.*?)</', html, re.S
    )


def test_a_missing_required_field_is_reported_next_to_it(
    signed_in: Issuer, service: Service
) -> None:
    values = example_values("product-carbon-footprint")
    name = "/credentialSubject/name"
    assert name in values
    values[name] = ""
    data = {**values, "csrf": signed_in.csrf(), "format": "vc+jwt"}
    response = signed_in.client.post("/console/issue/product-carbon-footprint", data=data)
    assert response.status_code == 422
    assert 'data-testid="error-summary"' in response.text
    field_id = schema_form.element_id(name)
    error = re.search(rf'id="{re.escape(field_id)}--error"[^>]*>(.*?)</p>', response.text, re.S)
    assert error is not None, response.text
    assert "This field is required." in error[1]
    control = re.search(rf'<[^>]*id="{re.escape(field_id)}"[^>]*>', response.text)
    assert control is not None
    assert 'aria-invalid="true"' in control[0]
    assert f"{field_id}--error" in control[0]  # aria-describedby names the message
    assert service.store.credentials(signed_in.tenant.id) == []


def test_a_value_breaking_a_schema_format_is_refused_next_to_its_field(
    signed_in: Issuer, service: Service
) -> None:
    """Formats are asserted (vcservice.untp.FORMAT_CHECKER): a scheme id that is no URI and a
    date that does not exist are refused with 422, each message next to its field."""
    values = example_values("product-carbon-footprint")
    scheme = "/credentialSubject/referenceScheme/id"
    date = "/credentialSubject/conformityAssessment/0/assessmentDate"
    assert scheme in values
    assert date in values
    values[scheme], values[date] = "SHP-1", "2026-02-30"
    data = {**values, "csrf": signed_in.csrf(), "format": "vc+jwt"}
    response = signed_in.client.post("/console/issue/product-carbon-footprint", data=data)
    assert response.status_code == 422
    for pointer, message in (
        (scheme, "'SHP-1' is not a 'uri'"),
        (date, "'2026-02-30' is not a 'date'"),
    ):
        field_id = schema_form.element_id(pointer)
        error = re.search(rf'id="{re.escape(field_id)}--error"[^>]*>(.*?)</p>', response.text, re.S)
        assert error is not None, _errors(response.text)
        assert message in error[1].replace("&#x27;", "'").replace("&#39;", "'")
    assert service.store.credentials(signed_in.tenant.id) == []


def test_checking_the_form_validates_and_issues_nothing(
    signed_in: Issuer, service: Service
) -> None:
    values = {**example_values("product-carbon-footprint"), "/credentialSubject/name": ""}
    data = {**values, "csrf": signed_in.csrf(), "_action": "check"}
    response = signed_in.client.post("/console/issue/product-carbon-footprint", data=data)
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert service.store.credentials(signed_in.tenant.id) == []


def test_an_add_button_edits_the_form_and_issues_nothing(
    signed_in: Issuer, service: Service
) -> None:
    values = example_values("product-carbon-footprint")
    arrays = [k[:-2] for k in values if k.endswith("/-")]
    assert arrays
    data = {**values, "csrf": signed_in.csrf(), "_action": f"add:{arrays[0]}"}
    response = signed_in.client.post("/console/issue/product-carbon-footprint", data=data)
    assert response.status_code == 200
    assert service.store.credentials(signed_in.tenant.id) == []
