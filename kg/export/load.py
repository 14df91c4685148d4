"""A built output folder's RDF read back into a KnowledgeGraph (kg.graph's node scheme), so
`kg export` converts what `kg build` wrote without extracting again.

What is rebuilt from the core vocabulary: papers (kg:Paper with dcterms:title, abstract,
identifier, issued, creator in file order, schema:url, dcterms:source, and their categories:
the skos:notation of each dcterms:subject, kg.rdf.standard), concepts (kg:Concept
with their kg:Method/Dataset/Metric/Task class, kg:Kind, skos:prefLabel, altLabel, broader,
kg:lowerIsBetter), repositories (kg:Repository), the paper -> concept/repository edges
(kg:usesMethod ... kg:hasCode; count = their mentions, confidence = the best one) and the
mentions of concepts and repositories (kg:Mention). Keys: a paper's is its arXiv id or its
normalized title, as ingest makes them; a concept's is the last segment of its IRI (the
build's key when that is already a slug), so IRIs minted again from the loaded graph are the
same. Not rebuilt: results (kg:Result) and a mention's role (proposes is kept on the edge);
`to_rdf` and the JSON-LD export read the folder's own RDF, so they lose nothing.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote

from kg.errors import InputError, UsageError

_RELATIONS = ("usesMethod", "proposesMethod", "usesDataset", "reportsMetric", "addressesTask", "hasCode")
_CTYPES = ("Method", "Dataset", "Metric", "Task")


def graph_file(out: Path) -> Path:
    """The RDF file of `out`: itself when a file, else OUT/graph.nt (or graph.ttl)."""
    if out.is_file():
        return out
    for name in ("graph.nt", "graph.ttl"):
        if (out / name).exists():
            return out / name
    raise UsageError(f"no graph in {out}: no graph.nt or graph.ttl (run `kg build` first)")


def load_graph(out: Path):
    """The KnowledgeGraph of a build folder or RDF file (see the module's docstring)."""
    import networkx as nx
    import pyoxigraph as ox

    from kg.api import KnowledgeGraph
    from kg.graph import concept_node, paper_node, repository_node
    from kg.normalize import title_key
    from kg.rdf.namespace import KG, RESOURCE_BASE
    from kg.rdf.write import format_for_file
    from kg.records import REPOSITORY, Field, Mention, Role

    path = graph_file(Path(out))
    RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    try:
        for triple in ox.parse(path=str(path), format=format_for_file(path).oxigraph):
            if isinstance(triple.subject, ox.NamedNode):
                props[triple.subject.value][triple.predicate.value].append(triple.object)
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(path, f"unreadable RDF: {exc}") from None

    k = str(KG._NS)
    dc, sdo, skos = "http://purl.org/dc/terms/", "https://schema.org/", "http://www.w3.org/2004/02/skos/core#"

    def types(iri: str) -> set[str]:
        return {t.value for t in props[iri].get(RDF_TYPE, ())}

    def one(iri: str, prop: str) -> str | None:
        values = props[iri].get(prop)
        return values[0].value if values else None

    def every(iri: str, prop: str) -> tuple[str, ...]:
        return tuple(v.value for v in props[iri].get(prop, ()))

    graph = nx.DiGraph()
    node_of: dict[str, str] = {}
    base = None
    for iri in props:
        kinds = types(iri)
        if k + "Paper" in kinds:
            if base is None and "paper/" in iri:
                base = iri[: iri.rindex("paper/")]
            arxiv = unquote(iri.rsplit("/paper/arxiv/", 1)[1]) if "/paper/arxiv/" in iri else None
            title = one(iri, dc + "title") or ""
            key = f"arxiv:{arxiv}" if arxiv else f"title:{title_key(title)}"
            node = node_of[iri] = paper_node(key)
            graph.add_node(node, kind="paper", label=title, title=title, abstract=one(iri, dc + "abstract") or "",
                           key=key, arxiv_id=arxiv, identifier=one(iri, dc + "identifier"),
                           issued=one(iri, dc + "issued"), authors=every(iri, dc + "creator"),
                           url=one(iri, sdo + "url"), sources=tuple(sorted(every(iri, dc + "source"))),
                           categories=tuple(c for c in (one(s, skos + "notation") for s in every(iri, dc + "subject")) if c),
                           mentions=(), results=())
        elif k + "Concept" in kinds:
            ctype = next((c for c in _CTYPES if k + c in kinds), None)
            segment = iri.rstrip("/").rsplit("/", 1)[-1]
            if ctype is None:  # a kind of data is typed no kg:Dataset; its IRI says dataset/
                folder = iri.rstrip("/").rsplit("/", 2)[-2]
                ctype = next((c for c in _CTYPES if c.lower() == folder), "Task")
            node = node_of[iri] = concept_node(ctype, unquote(segment))
            label = one(iri, skos + "prefLabel") or segment
            lower = one(iri, k + "lowerIsBetter")
            attrs = dict(kind="concept", ctype=ctype, key=unquote(segment), label=label,
                         alt_labels=tuple(sorted(every(iri, skos + "altLabel"))), generic=k + "Kind" in kinds)
            if lower is not None:
                attrs["lower_is_better"] = lower == "true"
            graph.add_node(node, **attrs)
        elif k + "Repository" in kinds:
            url = one(iri, sdo + "codeRepository") or iri
            node = node_of[iri] = repository_node(url)
            graph.add_node(node, kind="repository", url=url, host=one(iri, k + "host") or "",
                           is_code_host=one(iri, k + "isCodeHost") == "true", label=url.split("://", 1)[-1])
    for iri, node in node_of.items():
        if graph.nodes[node]["kind"] == "concept":
            broader = tuple(node_of[b] for b in every(iri, skos + "broader") if b in node_of)
            if broader:
                graph.nodes[node]["broader"] = broader

    mentions: dict[str, list[Mention]] = defaultdict(list)
    best: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0.0])
    components = {iri: one(iri, "http://www.w3.org/2000/01/rdf-schema#label") for iri in props
                  if k + "ExtractionRun" in types(iri)}
    for iri in props:
        if k + "Mention" not in types(iri):
            continue
        paper, target = node_of.get(one(iri, k + "inPaper") or ""), node_of.get(one(iri, k + "denotes") or "")
        if paper is None or target is None:
            continue  # the evidence of a result (kg:denotes a kg:Result): not rebuilt
        t = graph.nodes[target]
        confidence = float(one(iri, k + "confidence") or 0)
        run = one(iri, "http://www.w3.org/ns/prov#wasGeneratedBy")
        mentions[paper].append(Mention(
            Field(one(iri, k + "field") or "abstract"), int(one(iri, k + "start") or 0), int(one(iri, k + "end") or 0),
            one(iri, k + "text") or "", t.get("ctype", REPOSITORY), t["key"] if t["kind"] == "concept" else t["url"],
            confidence, components.get(run) or (run or "").rsplit("/", 1)[-1], Role.USES))
        counts = best[paper, target]
        counts[0] += 1
        counts[1] = max(counts[1], confidence)
    for iri, node in node_of.items():
        if graph.nodes[node]["kind"] != "paper":
            continue
        for relation in _RELATIONS:
            for target_iri in every(iri, k + relation):
                target = node_of.get(target_iri)
                if target is not None:
                    count, confidence = best.get((node, target), (0, 0.0))
                    graph.add_edge(node, target, relation=relation, count=count, confidence=confidence)
        graph.nodes[node]["mentions"] = tuple(sorted(mentions.get(node, ()),
                                                     key=lambda m: (m.field.value, m.start, m.end, m.label)))
    return KnowledgeGraph(graph, None, base or RESOURCE_BASE, rdf_file=path)


__all__ = ["graph_file", "load_graph"]
