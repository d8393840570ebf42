"""Provenance graphs: the verifier behind ``POST /graphs/verify`` and the buyer page.

The same wiring as single credentials (this service's DIDs and lists locally, everything
else through the bounded network fetchers), with the walk's limits from the settings.
"""

from __future__ import annotations

from dataclasses import replace

from vcservice.graph import GraphLimits, GraphVerifier, LinkFetcher
from vcservice.settings import Settings
from vcservice.verifiers import Wiring


def graph_verifier(wiring: Wiring, settings: Settings, links: LinkFetcher | None) -> GraphVerifier:
    """A graph verifier on ``wiring``, fetching linked credentials with ``links`` when given."""
    if links is not None:
        wiring = replace(wiring, links=links)
    limits = GraphLimits(settings.graph_max_nodes, settings.graph_max_depth)
    return wiring.graph_verifier(limits)
