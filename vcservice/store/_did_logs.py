"""A did:webvh tenant's log (``did.jsonl``) and its witnesses' proofs.

Entries are only ever appended, each in the transaction of the key change it records, after
the caller has locked the tenant's row (so two changes never build on the same last entry).
The service builds and signs the entry (:mod:`vcservice.dids._didwebvh`); this stores it as
served, byte for byte.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from vcservice.store._errors import ConflictError
from vcservice.store._ops import OpsBase
from vcservice.store._records import DidLogEntry
from vcservice.store._schema import DidLogEntryRow, DidWitnessProofRow


class DidLogOps(OpsBase):
    def did_log(self, tenant_id: str) -> list[DidLogEntry]:
        """The tenant's log entries in order (empty for a tenant without a did:webvh)."""
        rows = self._session.scalars(
            select(DidLogEntryRow)
            .where(DidLogEntryRow.tenant_id == tenant_id)
            .order_by(DidLogEntryRow.version_number)
        )
        return [DidLogEntry(r.version_number, r.version_id, r.version_time, r.entry) for r in rows]

    def append_did_log(
        self, tenant_id: str, version_id: str, version_time: datetime, entry: str
    ) -> DidLogEntry:
        """Append ``entry`` as the next version; its number must follow the last one's."""
        number = int(version_id.split("-", 1)[0])
        last = self._session.scalar(
            select(DidLogEntryRow.version_number)
            .where(DidLogEntryRow.tenant_id == tenant_id)
            .order_by(DidLogEntryRow.version_number.desc())
            .limit(1)
        )
        if number != (last or 0) + 1:
            raise ConflictError(f"log entry {version_id} does not follow version {last or 0}")
        row = DidLogEntryRow(
            tenant_id=tenant_id,
            version_number=number,
            version_id=version_id,
            version_time=version_time,
            entry=entry,
        )
        self._session.add(row)
        self._session.flush()
        return DidLogEntry(number, version_id, version_time, entry)

    def witness_proofs(self, tenant_id: str) -> list[tuple[str, str, str]]:
        """(version id, witness DID, proof JSON) of every stored approval, oldest first."""
        rows = self._session.scalars(
            select(DidWitnessProofRow)
            .where(DidWitnessProofRow.tenant_id == tenant_id)
            .order_by(DidWitnessProofRow.created_at, DidWitnessProofRow.witness)
        )
        return [(r.version_id, r.witness, r.proof) for r in rows]

    def add_witness_proof(self, tenant_id: str, version_id: str, witness: str, proof: str) -> None:
        """Store a witness's approval of a version (replacing that witness's earlier one)."""
        row = self._session.get(DidWitnessProofRow, (tenant_id, version_id, witness))
        if row is None:
            self._session.add(
                DidWitnessProofRow(
                    tenant_id=tenant_id,
                    version_id=version_id,
                    witness=witness,
                    proof=proof,
                    created_at=self._now(),
                )
            )
        else:
            row.proof = proof
        self._session.flush()
