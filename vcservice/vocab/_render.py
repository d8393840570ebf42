"""Renderings of the vocabulary: the JSON-LD context, Turtle and an HTML page.

All three are pure functions of the vocabulary (and, for the context, of the bundled UNTP 0.7.0
context, whose Link/Measure/Period/Classification terms are copied as property-scoped contexts
so that our properties' values expand exactly as UNTP's do). Output is deterministic, so the
bundled context can be pinned by hash and a test can regenerate it byte for byte.

The context is JSON-LD 1.1, every term protected, with no ``@vocab``: a term it does not define
stays undefined (and the strict data-model check reports it) instead of being silently minted
into our namespace. Enumerated properties are ``@type: @vocab`` with a property-scoped context
listing exactly the allowed values. Terms a class of ours reuses from another vocabulary (DID Core
``serviceEndpoint`` on a CreditRegistry) are defined, protected, in the property-scoped context
of every property whose range is that class.
"""

from __future__ import annotations

import copy
import html
import json
from importlib import resources
from typing import Any

from vcservice.vocab._vocabulary import Term, Vocabulary

XSD = "http://www.w3.org/2001/XMLSchema#"
SEC = "https://w3id.org/security#"
_DATATYPES = {
    "xsd:double": XSD + "double",
    "xsd:date": XSD + "date",
    # The W3C datatype of multibase texts (as digestMultibase in the VC 2.0 and UNTP contexts).
    "sec:multibase": SEC + "multibase",
}
_UNTP_CONTEXT = "untp-0.7.0.jsonld"
#: Compact prefixes the UNTP context uses inside the scopes we copy.
_UNTP_PREFIXES = {
    "untp": "https://vocabulary.uncefact.org/untp/",
    "xsd": XSD,
    "schema": "https://schema.org/",
}


def untp_context() -> dict[str, Any]:
    """The bundled UNTP 0.7.0 context (the same bytes the document loader pins)."""
    data = (resources.files("vcservice.jsonld") / "contexts" / _UNTP_CONTEXT).read_bytes()
    context: dict[str, Any] = json.loads(data)["@context"]
    return context


def _expand_prefixes(node: Any) -> Any:
    """Rewrites ``untp:x``/``xsd:x``/``schema:x`` in @id/@type values to absolute IRIs."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("@id", "@type") and isinstance(value, str):
                prefix, sep, local = value.partition(":")
                if sep and prefix in _UNTP_PREFIXES:
                    value = _UNTP_PREFIXES[prefix] + local
                out[key] = value
            else:
                out[key] = _expand_prefixes(value)
        return out
    return node


def _shape_scope(vocab: Vocabulary, shape: str, untp: dict[str, Any]) -> dict[str, Any]:
    path = vocab.shapes[shape]
    node: Any = untp[path[0]]["@context"]
    for step in path[1:]:
        node = node[step]["@context"]
    return _expand_prefixes(copy.deepcopy(node))  # type: ignore[no-any-return]


def _reused_scope(vocab: Vocabulary, cls: Term) -> dict[str, Any]:
    """The property-scoped context of a class's reused terms (absolute IRIs, protected)."""
    scope: dict[str, Any] = {"@protected": True}
    for reused in cls.reused:
        term: dict[str, Any] = {"@id": vocab.iri(reused.iri)}
        if reused.type:
            term["@type"] = reused.type
        scope[reused.term] = term
    return scope


def _property_definition(
    vocab: Vocabulary, prop: Term, untp: dict[str, Any], class_terms: set[str]
) -> dict[str, Any]:
    definition: dict[str, Any] = {"@id": f"{vocab.prefix}:{prop.iri_local}"}
    rng = prop.range or ""
    local = rng.removeprefix(f"{vocab.prefix}:")
    if rng in _DATATYPES:
        definition["@type"] = _DATATYPES[rng]
    elif local in vocab.enumerations:
        definition["@type"] = "@vocab"
        scope: dict[str, Any] = {"@protected": True}
        for value in vocab.enumerations[local]:
            scope[value.term] = f"{vocab.prefix}:{value.iri_local}"
        definition["@context"] = scope
    elif rng in vocab.shapes:
        definition["@context"] = _shape_scope(vocab, rng, untp)
    elif rng.startswith("untp:"):
        definition["@type"] = "@id"  # a typed UNTP node (Facility, ConformityScheme, ...)
    elif local in class_terms and vocab.terms[local].reused:
        definition["@context"] = _reused_scope(vocab, vocab.terms[local])
    elif local not in class_terms and rng != "xsd:string":
        raise ValueError(f"{prop.term}: no rule to map range {rng!r} into the context")
    if prop.container:
        definition["@container"] = prop.container
    return definition


def render_context(vocab: Vocabulary, untp: dict[str, Any] | None = None) -> dict[str, Any]:
    untp = untp if untp is not None else untp_context()
    class_terms = {c.term for c in vocab.classes if not c.enumeration}
    body: dict[str, Any] = {
        "@version": 1.1,
        "@protected": True,
        vocab.prefix: vocab.namespace,
    }
    for cls in vocab.classes:
        if not cls.enumeration:
            body[cls.term] = {"@id": f"{vocab.prefix}:{cls.iri_local}"}
    for prop in vocab.properties:
        body[prop.term] = _property_definition(vocab, prop, untp, class_terms)
    return {"@context": body}


def context_bytes(vocab: Vocabulary, untp: dict[str, Any] | None = None) -> bytes:
    text = json.dumps(render_context(vocab, untp), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


# -- Turtle -------------------------------------------------------------------------------------

_TTL_PREFIXES = ("cm", "untp", "uncefact", "rdf", "rdfs", "owl", "skos", "dcterms", "schema")


def _literal(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def _ref(vocab: Vocabulary, compact: str) -> str:
    """A Turtle reference: prefixed name when the prefix is declared, else an IRI."""
    prefix, _, _ = compact.partition(":")
    if prefix in (*_TTL_PREFIXES, "xsd"):
        return compact
    return f"<{vocab.iri(compact)}>"


def _statements(subject: str, pairs: list[tuple[str, str]]) -> str:
    lines = [subject]
    for index, (predicate, obj) in enumerate(pairs):
        end = " ." if index == len(pairs) - 1 else " ;"
        lines.append(f"    {predicate} {obj}{end}")
    return "\n".join(lines)


def render_turtle(vocab: Vocabulary) -> str:
    ns = vocab.namespace
    out = [f"@prefix {p}: <{vocab.prefixes[p]}> ." for p in _TTL_PREFIXES]
    out.append(f"@prefix xsd: <{XSD}> .")
    out.append("")
    out.append(
        _statements(
            f"<{ns.rstrip('#')}>",
            [
                ("a", "owl:Ontology"),
                ("dcterms:title", _literal(vocab.title) + "@en"),
                ("dcterms:description", _literal(vocab.description) + "@en"),
                ("owl:versionInfo", _literal(vocab.version)),
                ("rdfs:seeAlso", f"<{vocab.context_url}>"),
            ],
        )
    )
    for cls in vocab.classes:
        pairs = [
            ("a", "rdfs:Class, owl:Class"),
            ("rdfs:label", _literal(cls.label) + "@en"),
            ("rdfs:comment", _literal(cls.definition) + "@en"),
            ("rdfs:isDefinedBy", f"<{ns.rstrip('#')}>"),
        ]
        if cls.sub_class_of:
            pairs.append(("rdfs:subClassOf", _ref(vocab, cls.sub_class_of)))
        for eq in cls.equivalent:
            pairs.append(("skos:closeMatch", f"<{vocab.iri(eq)}>"))
        pairs.extend(("rdfs:seeAlso", f"<{vocab.iri(r.iri)}>") for r in cls.reused)
        if cls.enumeration:
            members = " ".join(
                f"{vocab.prefix}:{v.iri_local}" for v in vocab.enumerations[cls.term]
            )
            pairs.append(("owl:oneOf", f"( {members} )"))
        out.append("")
        out.append(_statements(f"{vocab.prefix}:{cls.iri_local}", pairs))
    for name, values in vocab.enumerations.items():
        for value in values:
            out.append("")
            out.append(
                _statements(
                    f"{vocab.prefix}:{value.iri_local}",
                    [
                        ("a", f"{vocab.prefix}:{name}, skos:Concept"),
                        ("rdfs:label", _literal(value.label) + "@en"),
                        ("rdfs:comment", _literal(value.definition) + "@en"),
                        ("skos:notation", _literal(value.term)),
                        ("rdfs:isDefinedBy", f"<{ns.rstrip('#')}>"),
                    ],
                )
            )
    for prop in vocab.properties:
        pairs = [
            ("a", "rdf:Property"),
            ("rdfs:label", _literal(prop.label) + "@en"),
            ("rdfs:comment", _literal(prop.definition) + "@en"),
            ("rdfs:isDefinedBy", f"<{ns.rstrip('#')}>"),
        ]
        pairs.extend(("schema:domainIncludes", _ref(vocab, d)) for d in prop.domain)
        if prop.range:
            pairs.append(("schema:rangeIncludes", _ref(vocab, prop.range)))
        for eq in prop.equivalent:
            predicate = "owl:equivalentProperty" if eq.startswith("untp:") else "skos:closeMatch"
            obj = eq if eq.startswith("untp:") else f"<{vocab.iri(eq)}>"
            pairs.append((predicate, obj))
        pairs.extend(("rdfs:seeAlso", _ref(vocab, r)) for r in prop.related)
        out.append("")
        out.append(_statements(f"{vocab.prefix}:{prop.iri_local}", pairs))
    return "\n".join(out) + "\n"


# -- HTML ---------------------------------------------------------------------------------------


def _link(vocab: Vocabulary, compact: str) -> str:
    prefix, _, local = compact.partition(":")
    if prefix == vocab.prefix:
        return f'<a href="#{html.escape(local)}"><code>{html.escape(compact)}</code></a>'
    return f'<a href="{html.escape(vocab.iri(compact))}"><code>{html.escape(compact)}</code></a>'


def render_html(vocab: Vocabulary) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{e(vocab.title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.45}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}"
        "code{font-size:.92em}</style>",
        "</head>",
        "<body>",
        f"<h1>{e(vocab.title)}</h1>",
        f"<p>Version {e(vocab.version)}. Namespace <code>{e(vocab.namespace)}</code>; "
        f'JSON-LD context <a href="{e(vocab.context_url)}"><code>{e(vocab.context_url)}'
        '</code></a>. Also as <a href="vocab.ttl">Turtle</a> and '
        '<a href="context.jsonld">JSON-LD context</a>.</p>',
        f"<p>{e(vocab.description)}</p>",
        *(
            f'<h2 id="{e(cid)}">{e(title)}</h2><p>{e(text)}</p>'
            for cid, title, text in vocab.conventions
        ),
        "<h2>Classes</h2>",
        "<table><tr><th>Term</th><th>Definition</th><th>Subclass of</th></tr>",
    ]
    for cls in vocab.classes:
        parent = _link(vocab, cls.sub_class_of) if cls.sub_class_of else ""
        if cls.enumeration:
            listed = ", ".join(
                f'<a href="#{e(v.iri_local)}"><code>{e(v.term)}</code></a>'
                for v in vocab.enumerations[cls.term]
            )
            parent = f"enumeration: {listed}"
        reused = "".join(
            f"<br>Uses <code>{e(r.term)}</code> = {_link(vocab, r.iri)}: {e(r.definition)}"
            for r in cls.reused
        )
        parts.append(
            f'<tr id="{e(cls.iri_local)}"><td><code>{e(cls.term)}</code><br>{e(cls.label)}</td>'
            f"<td>{e(cls.definition)}{reused}</td><td>{parent}</td></tr>"
        )
    parts.append("</table>")
    parts.append("<h2>Properties</h2>")
    parts.append(
        "<table><tr><th>Term</th><th>Definition</th><th>Domain</th><th>Range</th>"
        "<th>Equivalent / related</th></tr>"
    )
    for prop in vocab.properties:
        domain = "<br>".join(_link(vocab, d) for d in prop.domain)
        rng = _link(vocab, prop.range) if prop.range else ""
        eqs = "<br>".join(
            [*(f"≡ {_link(vocab, q)}" for q in prop.equivalent)]
            + [f"see {_link(vocab, r)}" for r in prop.related]
        )
        parts.append(
            f'<tr id="{e(prop.iri_local)}"><td><code>{e(prop.term)}</code><br>{e(prop.label)}'
            f"</td><td>{e(prop.definition)}</td><td>{domain}</td><td>{rng}</td><td>{eqs}</td></tr>"
        )
    parts.append("</table>")
    parts.append("<h2>Enumeration values</h2>")
    parts.append("<table><tr><th>Value</th><th>IRI</th><th>Of</th><th>Definition</th></tr>")
    for name, values in vocab.enumerations.items():
        for value in values:
            parts.append(
                f'<tr id="{e(value.iri_local)}"><td><code>{e(value.term)}</code><br>'
                f"{e(value.label)}</td><td><code>{e(vocab.prefix)}:{e(value.iri_local)}</code>"
                f'</td><td><a href="#{e(name)}">{e(name)}</a></td>'
                f"<td>{e(value.definition)}</td></tr>"
            )
    parts.append("</table>")
    parts.append("<h2>Unit codes (UN/ECE Recommendation 20)</h2>")
    parts.append("<table><tr><th>Code</th><th>Unit</th></tr>")
    for code, name in vocab.unit_codes.items():
        parts.append(f"<tr><td><code>{e(code)}</code></td><td>{e(name)}</td></tr>")
    parts.append("</table>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"
