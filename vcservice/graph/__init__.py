"""Provenance-graph verification: a claim checked all the way back to the mine.

:func:`verify_graph` walks from a root credential (a passport, an event or an attestation)
along every hash link, verifies each credential with the single-credential pipeline, and
then checks what no single credential can show: that the certifiers are accredited by a trust
anchor for what they attested (:mod:`._trust`), that each claim is attested (:mod:`._claims`),
that footprints and recycled fractions roll up through make events and no certified quantity
is spent twice (:mod:`._balance`). One :class:`GraphReport` holds it all.

Everything that touches the outside is injected: the bundle (offline documents), the link
fetcher (``None`` = offline), the DID resolver and status fetcher behind the bundle, the
document loader and the clock. See ``docs/provenance-graphs.md`` for the rules in prose.
"""

from vcservice.graph._bundle import (
    BUNDLE_TYPE,
    Bundle,
    bundle_from_json,
    bundle_from_presentation,
    load_bundle,
    read_did_log,
)
from vcservice.graph._fetch import HttpLinkFetcher, LinkFetcher
from vcservice.graph._model import ROOT_KEY, Edge, GraphLimits, GraphReport, Node
from vcservice.graph._summary import render_summary
from vcservice.graph._verify import GraphVerifier, verify_graph

__all__ = [
    "BUNDLE_TYPE",
    "ROOT_KEY",
    "Bundle",
    "Edge",
    "GraphLimits",
    "GraphReport",
    "GraphVerifier",
    "HttpLinkFetcher",
    "LinkFetcher",
    "Node",
    "bundle_from_json",
    "bundle_from_presentation",
    "load_bundle",
    "read_did_log",
    "render_summary",
    "verify_graph",
]
