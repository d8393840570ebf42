"""The identity resolver's pure core: identifiers, linksets and the resolver description.

UNTP's discovery step is "scan the identifier on the product, find its verifiable data": an
identity resolver (UNTP IDR, ISO/IEC 18975, GS1 Digital Link) answers an identifier with an
RFC 9264 linkset whose typed links point at the passport and its evidence. This package
parses and normalises identifiers (:mod:`._identifier`) and builds the documents
(:mod:`._linkset`); the store keeps registrations, :mod:`vcservice.service.identifiers` puts
them together and :mod:`vcservice.api.routers.resolver` serves them.
"""

from vcservice.resolver._identifier import (
    GS1_PRIMARY_KEYS,
    ID_PREFIX,
    MAX_PATH,
    Identifier,
    parse_identifier,
    parse_path,
)
from vcservice.resolver._linkset import (
    DEFAULT_ORDER,
    LINK_TYPES,
    LINKSET_JSON,
    Link,
    LinkType,
    default_link,
    linkset,
    read_linkset,
    resolver_description,
)

__all__ = [
    "DEFAULT_ORDER",
    "GS1_PRIMARY_KEYS",
    "ID_PREFIX",
    "LINKSET_JSON",
    "LINK_TYPES",
    "MAX_PATH",
    "Identifier",
    "Link",
    "LinkType",
    "default_link",
    "linkset",
    "parse_identifier",
    "parse_path",
    "read_linkset",
    "resolver_description",
]
