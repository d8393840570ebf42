"""Per-credential figures: raw signatures (the floor), canonicalization (ours vs pyld), and
issue/verify for every format on the small attestation and the three UNTP samples.

* **issue** is :func:`vcservice.issuing.issue_credential`: the VC 2.0 data-model check, then
  securing (for Data Integrity: canonicalize credential and proof options, hash, sign).
* **verify** is :meth:`vcservice.verify.Verifier.verify_credential`: the whole pipeline
  (signature, data model, validity, issuer binding) with did:key resolved offline.
* **canonicalize (ours)** is :func:`vcservice.jsonld.rdfc`; **pyld** is
  :func:`vcservice.jsonld.rdfc_reference` (JSON-LD to RDF and RDFC-1.0 by pyld alone). Their
  outputs are compared byte for byte in the same run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from bench._timing import Timing, measure
from bench.fixtures import AT, CLOCK, Sample, signer
from bench.report import Results, ms
from vcservice.dids import DidKeyResolver
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader, fast_dataset, rdfc, rdfc_reference, rdfc_traced
from vcservice.keys import KeyType, Signer
from vcservice.model import validate_credential
from vcservice.securing.dataintegrity import verify_proofs
from vcservice.securing.jose import parse_envelope, verify_jwt
from vcservice.verify import Verifier


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    fmt: str
    key_type: KeyType


FORMATS = (
    Format("jwt-eddsa", "vc+jwt EdDSA", "vc+jwt", KeyType.ED25519),
    Format("jwt-es256", "vc+jwt ES256", "vc+jwt", KeyType.P256),
    Format("eddsa-rdfc-2022", "eddsa-rdfc-2022", "eddsa-rdfc-2022", KeyType.ED25519),
    Format("ecdsa-rdfc-2019", "ecdsa-rdfc-2019 (P-256)", "ecdsa-rdfc-2019", KeyType.P256),
    Format("eddsa-jcs-2022", "eddsa-jcs-2022", "eddsa-jcs-2022", KeyType.ED25519),
)


@dataclass(frozen=True)
class Budget:
    """Runs per figure and the timed seconds after which a figure stops early."""

    runs: int
    max_seconds: float
    warmup: int = 3

    def measure(self, fn: Callable[[], object], *, scale: float = 1.0) -> Timing:
        return measure(
            fn,
            runs=self.runs,
            warmup=self.warmup,
            max_seconds=self.max_seconds * scale,
        )


def verifier() -> Verifier:
    return Verifier(resolver=DidKeyResolver(), loader=bundled_loader(), clock=lambda: AT)


def issue(sample: Sample, fmt: Format, by: Signer) -> dict[str, Any]:
    return issue_credential(
        sample.issued_by(by), by, fmt.fmt, loader=bundled_loader(), clock=lambda: CLOCK
    )


def raw_signatures(results: Results, budget: Budget, message: bytes) -> None:
    """Ed25519 and P-256 sign/verify with ``cryptography`` alone: the floor."""
    table = results.table(
        "Raw signatures (cryptography; message = the small attestation's JWS signing input, "
        f"{len(message)} bytes)",
        "operation",
        "median",
        "p10–p90",
        "runs",
    )
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_public = ed_key.public_key()
    ed_signature = ed_key.sign(message)
    p256_key = ec.generate_private_key(ec.SECP256R1())
    p256_public = p256_key.public_key()
    p256_signature = p256_key.sign(message, ec.ECDSA(hashes.SHA256()))
    cases: list[tuple[str, str, Callable[[], object]]] = [
        ("raw.ed25519.sign", "Ed25519 sign", lambda: ed_key.sign(message)),
        ("raw.ed25519.verify", "Ed25519 verify", lambda: ed_public.verify(ed_signature, message)),
        (
            "raw.p256.sign",
            "P-256 ECDSA sign (SHA-256)",
            lambda: p256_key.sign(message, ec.ECDSA(hashes.SHA256())),
        ),
        (
            "raw.p256.verify",
            "P-256 ECDSA verify (SHA-256)",
            lambda: p256_public.verify(p256_signature, message, ec.ECDSA(hashes.SHA256())),
        ),
    ]
    for key, label, fn in cases:
        timing = measure(fn, runs=budget.runs * 20, warmup=50, max_seconds=budget.max_seconds)
        results.figures[key] = timing.to_dict()
        table.add(label, ms(timing.median), f"{ms(timing.p10)}–{ms(timing.p90)}", timing.runs)


def canonicalization(results: Results, budget: Budget, samples: list[Sample]) -> None:
    """RDFC-1.0 of each (unsigned) sample: ours vs the pyld reference, byte-identity checked."""
    loader = bundled_loader()
    table = results.table(
        "RDFC-1.0 canonicalization (unsigned credential)",
        "credential",
        "quads",
        "ours (vcservice.jsonld.rdfc)",
        "path",
        "pyld (rdfc_reference)",
        "speed-up",
        "byte-identical",
    )
    for sample in samples:
        document = sample.credential
        ours, path = rdfc_traced(document, loader)
        reference = rdfc_reference(document, loader)
        identical = ours == reference
        fast = budget.measure(lambda d=document: rdfc(d, loader))  # type: ignore[misc]
        slow = budget.measure(lambda d=document: rdfc_reference(d, loader), scale=2.0)  # type: ignore[misc]
        quads = len(ours.splitlines())
        results.figures[f"canon.{sample.key}"] = {
            "quads": quads,
            "path": path,
            "identical": identical,
            "ours": fast.to_dict(),
            "pyld": slow.to_dict(),
            "speedup": slow.median / fast.median,
        }
        table.add(
            sample.label,
            quads,
            ms(fast.median),
            path,
            ms(slow.median),
            f"{slow.median / fast.median:.1f}×",
            "yes" if identical else "**NO**",
        )


def issue_and_verify(results: Results, budget: Budget, samples: list[Sample]) -> None:
    """Issue and verify every sample in every format."""
    signers = {kt: signer(kt) for kt in (KeyType.ED25519, KeyType.P256)}
    check = verifier()
    issue_table = results.table(
        "Issue (data-model check + securing), median per credential",
        "format",
        *(s.label for s in samples),
    )
    verify_table = results.table(
        "Verify (full pipeline: proof, data model, validity, issuer binding), median",
        "format",
        *(s.label for s in samples),
    )
    for fmt in FORMATS:
        by = signers[fmt.key_type]
        issue_cells: list[str] = []
        verify_cells: list[str] = []
        for sample in samples:
            secured = issue(sample, fmt, by)
            report = check.verify_credential(secured)
            if not report.verified:
                raise RuntimeError(
                    f"{sample.label} in {fmt.label} does not verify: "
                    f"{[c.to_dict() for c in report.errors]}"
                )
            issued = budget.measure(lambda s=sample, f=fmt, b=by: issue(s, f, b))  # type: ignore[misc]
            verified = budget.measure(lambda v=secured: check.verify_credential(v))  # type: ignore[misc]
            results.figures[f"issue.{fmt.key}.{sample.key}"] = issued.to_dict()
            results.figures[f"verify.{fmt.key}.{sample.key}"] = verified.to_dict()
            issue_cells.append(ms(issued.median))
            verify_cells.append(ms(verified.median))
        issue_table.add(fmt.label, *issue_cells)
        verify_table.add(fmt.label, *verify_cells)


def jws_signing_input(sample: Sample) -> bytes:
    """The signing input (header.payload) of ``sample`` as our vc+jwt EdDSA."""
    secured = issue(sample, FORMATS[0], signer(KeyType.ED25519))
    jws = parse_envelope(secured)[1]
    return jws.rsplit(".", 1)[0].encode("ascii")


def breakdown(results: Results, budget: Budget, samples: list[Sample]) -> None:
    """Where a verification's time goes: the VC data-model check alone (and the JSON-LD walk
    it makes, :func:`fast_dataset`: the part that is expansion, not JSON rules), the vc+jwt
    signature step alone (:func:`verify_jwt`) and the eddsa-rdfc-2022 proof step alone
    (:func:`verify_proofs`), next to the whole pipeline."""
    loader = bundled_loader()
    resolver = DidKeyResolver()
    by = signer(KeyType.ED25519)
    table = results.table(
        "Where verify time goes (EdDSA): pipeline steps measured alone, median",
        "credential",
        "data-model check (validate_credential)",
        "… its JSON-LD walk (fast_dataset)",
        "vc+jwt step (verify_jwt)",
        "eddsa-rdfc-2022 proof step (verify_proofs)",
        "full verify, vc+jwt",
        "full verify, eddsa-rdfc-2022",
    )
    for sample in samples:
        document = sample.issued_by(by)
        jws = parse_envelope(issue(sample, FORMATS[0], by))[1]
        signed = issue(sample, FORMATS[2], by)
        model = budget.measure(lambda d=document: validate_credential(d, loader=loader))  # type: ignore[misc]
        walk = budget.measure(lambda d=document: fast_dataset(d, loader))  # type: ignore[misc]
        jose = budget.measure(
            lambda j=jws: verify_jwt(j, resolver=resolver, now=AT)  # type: ignore[misc]
        )
        proof = budget.measure(
            lambda d=signed: verify_proofs(d, resolver=resolver, loader=loader)  # type: ignore[misc]
        )
        results.figures[f"breakdown.{sample.key}"] = {
            "datamodel": model.to_dict(),
            "jsonld_walk": walk.to_dict(),
            "jose": jose.to_dict(),
            "dataintegrity": proof.to_dict(),
        }
        full_jwt = results.figures[f"verify.jwt-eddsa.{sample.key}"]["median_s"]
        full_di = results.figures[f"verify.eddsa-rdfc-2022.{sample.key}"]["median_s"]
        table.add(
            sample.label,
            ms(model.median),
            ms(walk.median),
            ms(jose.median),
            ms(proof.median),
            ms(full_jwt),
            ms(full_di),
        )
