"""Every route family of a running vcservice, once, over real HTTP: what a user installs must serve.

Used against the wheel installed in a fresh virtual environment (``test_installed_wheel.py``, in
``make test``) and against the container image and compose (``make docker-smoke``), so the same
requests judge all three. It needs only a base URL and a tenant's API key, and reads the copper
example bundle from this checkout; it writes nothing but what the service stores.

    python -m tests.smoke.routes --url http://127.0.0.1:8000 --api-key vcs_...

exits 0 with one line per route checked, or 1 naming the first route that failed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
COPPER_BUNDLE = REPO / "examples" / "copper" / "bundle.json"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
FORM_LINK = re.compile(r'href="(/console/issue/[a-z-]+)"')
VOCAB_ROUTES = (
    ("/vocab/", "text/html"),
    ("/vocab/context.jsonld", "application/ld+json"),
    ("/vocab/vocab.ttl", "text/turtle"),
    ("/vocab/vocab.jsonld", "application/ld+json"),
    ("/vocab/schemas/traceability-event", "application/schema+json"),
)


class SmokeError(AssertionError):
    """A route answered other than a working installation must."""


def _expect(response: httpx.Response, status: int, what: str) -> httpx.Response:
    if response.status_code != status:
        body = response.text[:600].replace("\n", " ")
        raise SmokeError(
            f"{what}: {response.request.method} {response.request.url.path} answered "
            f"{response.status_code}, expected {status}: {body}"
        )
    return response


def _media_type(response: httpx.Response) -> str:
    media_type: str = response.headers.get("content-type", "").split(";")[0].strip()
    return media_type


def _credential() -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": f"urn:uuid:{uuid.uuid4()}", "grade": "Cu 8.0 MIX"},
    }


def _issue_and_verify(client: httpx.Client, api_key: str, done: list[str]) -> None:
    auth = {"Authorization": f"Bearer {api_key}"}
    for fmt in ("vc+jwt", "eddsa-rdfc-2022"):
        body = {
            "credential": _credential(),
            "options": {
                "format": fmt,
                "credentialStatus": {
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation",
                },
            },
        }
        issued = _expect(
            client.post("/credentials/issue", json=body, headers=auth), 201, f"issue {fmt}"
        ).json()["verifiableCredential"]
        done.append(f"POST /credentials/issue ({fmt}, with a status entry)")
        report = _expect(
            client.post("/credentials/verify", json={"verifiableCredential": issued}),
            200,
            f"verify {fmt}",
        ).json()
        if report.get("verified") is not True:
            raise SmokeError(f"verify {fmt}: the report is not verified: {report}")
        done.append(f"POST /credentials/verify ({fmt}, status list fetched from the service)")
    batch = {"items": [{"credential": _credential()}, {"credential": {}}]}
    items = _expect(
        client.post("/credentials/issue/batch", json=batch, headers=auth), 200, "issue a batch"
    ).json()["items"]
    if [item["status"] for item in items] != [201, 422]:
        raise SmokeError(f"POST /credentials/issue/batch: not one issued, one refused: {items}")
    done.append("POST /credentials/issue/batch (one issued, one refused)")
    listing = _expect(client.get("/credentials", headers=auth), 200, "list credentials")
    if not listing.json():
        raise SmokeError("GET /credentials: the issued credentials are not listed")
    done.append("GET /credentials")


def _resolver(client: httpx.Client, api_key: str, done: list[str]) -> None:
    """Issue a passport registered under a fresh serial number, resolve it, draw its QR code."""
    auth = {"Authorization": f"Bearer {api_key}"}
    item = f"/01/09506000164908/21/{uuid.uuid4().hex[:20]}"
    options = {"format": "eddsa-rdfc-2022", "publish": True, "registerIdentifiers": [item]}
    body = {"credential": _credential(), "options": options}
    _expect(client.post("/credentials/issue", json=body, headers=auth), 201, "issue with an id")
    done.append("POST /credentials/issue (registerIdentifiers)")
    accept = {"Accept": "application/linkset+json"}
    linkset = _expect(client.get(item, headers=accept), 200, "resolve to a linkset").json()
    if not linkset["linkset"][0].get("dpp"):
        raise SmokeError(f"GET {item}: the linkset has no passport: {linkset}")
    _expect(client.get(item), 307, "resolve to the passport")
    _expect(client.get(item, headers={"Accept": "text/html"}), 303, "resolve to the buyer page")
    done.append(f"GET {item} (linkset, passport, buyer page)")
    qr = _expect(client.get("/resolver/qr.png", params={"identifier": item}), 200, "QR code")
    if _media_type(qr) != "image/png":
        raise SmokeError(f"GET /resolver/qr.png answered {_media_type(qr)}")
    _expect(client.get("/.well-known/resolver"), 200, "the resolver description")
    done.append("GET /resolver/qr.png, /.well-known/resolver")


def _tenant(client: httpx.Client, api_key: str, done: list[str]) -> None:
    """The tenant's identity, its key audit trail, and its DID files (after it has signed)."""
    auth = {"Authorization": f"Bearer {api_key}"}
    me = _expect(client.get("/tenants/me", headers=auth), 200, "the tenant").json()
    done.append(f"GET /tenants/me ({me['didMethod']}, keys in the {me['keyBackend']})")
    trail = _expect(
        client.get("/tenants/me/key-events?limit=1000", headers=auth), 200, "key audit trail"
    ).json()
    if trail["previousHash"] != "0" * 64 or not trail["events"]:
        raise SmokeError(f"GET /tenants/me/key-events: not the start of a trail: {trail}")
    if not trail["signatures"]:
        raise SmokeError("GET /tenants/me/key-events: the signatures just made are not counted")
    done.append(f"GET /tenants/me/key-events ({len(trail['events'])} events)")
    name = me["name"]
    if me["didMethod"] == "key":
        return
    _expect(client.get(f"/tenants/{name}/did.json"), 200, "the tenant's did.json")
    log = client.get(f"/tenants/{name}/did.jsonl")
    if me["didMethod"] == "webvh":
        _expect(log, 200, "the tenant's did:webvh log")
        if _media_type(log) != "text/jsonl":
            raise SmokeError(f"GET /tenants/{name}/did.jsonl: media type {_media_type(log)}")
    else:
        _expect(log, 404, "no did:webvh log for a did:web tenant")
    done.append(f"GET /tenants/{name}/did.json and did.jsonl")


def _graph(client: httpx.Client, done: list[str]) -> None:
    bundle = json.loads(COPPER_BUNDLE.read_text(encoding="utf-8"))
    report = _expect(client.post("/graphs/verify", json=bundle), 200, "graph verify").json()
    if report.get("verified") is not True:
        raise SmokeError(f"graph verify: the copper chain is not verified: {report}")
    done.append(f"POST /graphs/verify (copper bundle, {len(report.get('nodes', []))} nodes)")
    page = _expect(
        client.post("/verify", files={"file": ("bundle.json", COPPER_BUNDLE.read_bytes())}),
        200,
        "buyer page with the copper bundle",
    )
    if "Verified" not in page.text:
        raise SmokeError("POST /verify: the page does not say the copper chain is verified")
    done.append("POST /verify (buyer page, copper bundle uploaded)")


def _pages(client: httpx.Client, done: list[str]) -> None:
    for path, media in (
        ("/", "text/html"),
        ("/verify", "text/html"),
        ("/verify/example/copper", "text/html"),  # the packaged example the landing page offers
        ("/docs", "text/html"),
        ("/openapi.json", "application/json"),
        ("/healthz", "application/json"),
        ("/readyz", "application/json"),
        ("/.well-known/did.json", "application/did+json"),
        ("/ledger/checkpoint", ""),
        *VOCAB_ROUTES,
    ):
        response = _expect(client.get(path), 200, path)
        if media and _media_type(response) != media:
            raise SmokeError(f"GET {path}: media type {_media_type(response)}, expected {media}")
        done.append(f"GET {path}")
    did = client.get("/.well-known/did.json").json()["id"]
    resolved = _expect(client.get(f"/1.0/identifiers/{did}"), 200, "resolve the service's DID")
    if resolved.json().get("didDocument", {}).get("id") != did:
        raise SmokeError(f"GET /1.0/identifiers/{did}: not the service's DID document")
    done.append("GET /1.0/identifiers/{did} (the service's own DID)")


def _console(client: httpx.Client, base_url: str, api_key: str, done: list[str]) -> None:
    _expect(client.get("/console/login"), 200, "console sign-in page")
    origin = {"Origin": base_url, "Sec-Fetch-Site": "same-origin"}
    _expect(
        client.post("/console/login", data={"api_key": api_key}, headers=origin),
        303,
        "console sign-in",
    )
    listing = _expect(client.get("/console"), 200, "console credential list")
    if not CSRF.search(listing.text):
        raise SmokeError("GET /console: no sign-out form; the session did not open")
    done.append("POST /console/login, GET /console")
    keys = _expect(client.get("/console/keys"), 200, "console keys page")
    if "The trail verifies" not in keys.text:
        raise SmokeError("GET /console/keys: the key audit trail does not verify")
    done.append("GET /console/keys")
    forms = FORM_LINK.findall(_expect(client.get("/console/issue"), 200, "console forms").text)
    if not forms:
        raise SmokeError("GET /console/issue: no issue form is offered")
    for path in forms:  # every form the console offers: each renders its profile's schema
        if "<form" not in _expect(client.get(path), 200, path).text:
            raise SmokeError(f"GET {path}: no form on the page")
        done.append(f"GET {path}")


def exercise(base_url: str, api_key: str) -> list[str]:
    """Check every route family of the service at ``base_url``; the list of what was checked.

    Raises :class:`SmokeError` (an ``AssertionError``) at the first route that fails.
    """
    done: list[str] = []
    with httpx.Client(base_url=base_url, timeout=60, follow_redirects=False) as client:
        _pages(client, done)
        _issue_and_verify(client, api_key, done)
        _tenant(client, api_key, done)
        _resolver(client, api_key, done)
        _graph(client, done)
        _console(client, base_url, api_key, done)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="the service's base URL")
    parser.add_argument("--api-key", required=True, help="an API key of a tenant of it")
    args = parser.parse_args(argv)
    try:
        for line in exercise(args.url.rstrip("/"), args.api_key):
            print(f"ok   {line}")
    except (SmokeError, httpx.HTTPError) as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
