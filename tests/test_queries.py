"""The named queries of queries/*.rq on the bundled corpus, kg query's parameter handling,
and the Oxigraph store through pyoxigraph and rdflib.

The facts asserted can be checked by a reader in kg/data/seeds/*.txt (quoted below); they
are chosen to survive tuning of the extractor, so no test compares whole result lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from kg.build import BuildOptions, build
from kg.cli import main
from kg.errors import QueryError, UsageError
from kg.rdf.aggregates import MIN_PAIR_PAPERS
from kg.rdf.bench import PARAMS as BENCH_PARAMS, write_graph
from kg.rdf.query import named_queries, resolve_query, run_named, run_query, term_text
from kg.rdf.write import open_store, rdflib_graph

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
RETROMAE = "https://github.com/staoxiao/RetroMAE"  # seeds/001_…: "publicly available at https://github.com/staoxiao/RetroMAE"
SAM_PAPER = "Sharpness-Aware Minimization for Efficiently Improving Generalization"  # a title line of seeds/001_…
# A value for each declared parameter: facts of the seeds.
PARAMS = {
    "datasets-with-method": {"method": "sharpness-aware minimization"},
    "metrics-for-dataset": {"dataset": "ImageNet"},
    "similar-papers": {"paper": SAM_PAPER},
    "evidence-for": {"concept": "RetroMAE"},  # "we propose RetroMAE, a new retrieval oriented ..."
    "concepts-of-paper": {"paper": "RetroMAE"},
    # seeds: "ImageNet-C (22.0% mCE), ImageNet-R (17.4% error) and ImageNet-A (14.8% error)"
    "leaderboard": {"dataset": "ImageNet-R", "metric": "error"},
    "results-of-paper": {"paper": "SpecDec++"},  # "achieves a 2.04x speedup on the Alpaca dataset"
}
STANDARD_PREFIXES = ("kg", "dcterms", "schema", "skos", "mls", "prov")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled")
    graph, summary = build(BuildOptions(out_dir=out, html=False, created="2024-01-01"))
    return out, summary


@pytest.fixture(scope="module")
def store(built) -> ox.Store:
    out, _ = built
    return open_store(out / "graph.nt", out / "store")


@pytest.fixture(scope="module")
def rdflib_data(built) -> Graph:
    return Graph().parse(built[0] / "graph.nt", format="nt")


def rows(store: ox.Store, name: str, **params) -> list[dict[str, str]]:
    results = run_named(store, name, params)
    variables = [v.value for v in results.variables]
    return [{v: term_text(s[v]) for v in variables} for s in results]


# ---------------------------------------------------------------------------
# Every query file
# ---------------------------------------------------------------------------


def test_at_least_twelve_queries():
    assert len(QUERIES) >= 12
    assert set(QUERIES) <= set(named_queries())


@pytest.mark.parametrize("name", QUERIES)
def test_query_file_is_self_contained(name: str):
    """A leading description, PREFIX lines for the prefixes it uses: runs in any client."""
    query = resolve_query(name)
    assert query.text.startswith("#") and len(query.description) > 20
    declared = set(re.findall(r"^PREFIX\s+(\w+):", query.text, flags=re.MULTILINE))
    assert set(STANDARD_PREFIXES) <= declared
    body = "\n".join(l for l in query.text.splitlines() if not l.startswith(("#", "PREFIX")))
    used = set(re.findall(r"\b([a-z]+):[A-Za-z]", re.sub(r'"[^"]*"', "", body)))
    assert used <= declared, f"undeclared prefixes {used - declared}"
    prepareQuery(query.text)  # rdflib parses it with no default prefixes
    assert set(query.parameters) == set(PARAMS.get(name, {}))


@pytest.mark.parametrize("name", QUERIES)
def test_query_runs_and_returns_rows(store, name: str):
    found = rows(store, name, **PARAMS.get(name, {}))
    if name != "metrics-for-dataset":  # the extractor may find no metric beside ImageNet
        assert found, f"{name} returned no rows"


@pytest.mark.parametrize("name", QUERIES)
def test_rdflib_gives_the_same_answers(store, rdflib_data, name: str):
    """Portability: rdflib's engine (parameters as initBindings) agrees with Oxigraph."""
    query = resolve_query(name)
    bindings = {k: Literal(v) for k, v in PARAMS.get(name, {}).items()}
    theirs = rdflib_data.query(query.text, initBindings=bindings)
    ours = rows(store, name, **PARAMS.get(name, {}))
    def normal(var: str, value) -> str:
        text = "" if value is None else str(value)
        return ", ".join(sorted(text.split(", "))) if var == "concepts" else text  # GROUP_CONCAT order is free

    theirs_rows = [tuple(normal(str(v), r[v]) for v in theirs.vars) for r in theirs]
    assert sorted(theirs_rows) == sorted(tuple(normal(k, v) for k, v in r.items()) for r in ours)


# ---------------------------------------------------------------------------
# Facts a reader can check in the seeds
# ---------------------------------------------------------------------------


def test_papers_with_code_has_retromae(store):
    found = rows(store, "papers-with-code")
    retro = [r for r in found if r["repository"] == RETROMAE]
    assert len(retro) == 1
    assert retro[0]["title"].startswith("RetroMAE: Pre-Training Retrieval-oriented Language Models")
    assert retro[0]["host"] == "github.com" and retro[0]["codeHost"] == "true"
    assert all(r["repository"].startswith(("http://", "https://")) for r in found)


def test_repository_hosts_github_first(store):
    found = rows(store, "repository-hosts")
    assert found[0]["host"] == "github.com" and found[0]["codeHost"] == "true"
    assert int(found[0]["repositories"]) >= 50  # the seeds give ~80 github.com links
    counts = [int(r["repositories"]) for r in found]
    assert counts == sorted(counts, reverse=True)


def test_proposed_methods_include_retromae_with_code(store):
    found = rows(store, "proposed-methods")
    assert {"method": "RetroMAE", "repository": RETROMAE} in [
        {"method": r["method"], "repository": r["repository"]} for r in found
    ]


def test_concepts_of_paper(store):
    found = rows(store, "concepts-of-paper", paper="retromae")  # case-insensitive
    pairs = {(r["relation"], r["target"]) for r in found}
    assert ("hasCode", RETROMAE) in pairs
    assert ("proposesMethod", "RetroMAE") in pairs


def test_evidence_offsets_point_at_the_text(store):
    """Every evidence row's span is exactly the text at its offsets in the paper."""
    found = rows(store, "evidence-for", concept="retromae")
    assert found and all(r["text"] == "RetroMAE" for r in found)
    for r in found:
        text = rows_of(store, f"""SELECT ?t WHERE {{ ?p dcterms:title {Literal(r['title']).n3()} ;
                                   dcterms:{r['field']} ?t }}""")[0]
        assert text[int(r["start"]):int(r["end"])] == r["text"]
        assert 0 < float(r["confidence"]) <= 1 and r["component"]


def rows_of(store: ox.Store, text: str) -> list[str]:
    return [term_text(s[0]) for s in run_query(store, text)]


def test_acronyms(store):
    """seeds/003_…: "This is different than batch normalization (BN), which ..." """
    found = rows(store, "acronyms")
    assert any(r["acronym"] == "BN" and r["expansion"].lower() == "batch normalization" for r in found)
    assert all(r["acronym"].lower() != r["expansion"].lower() for r in found)
    assert {r["type"] for r in found} <= {"Method", "Dataset", "Metric", "Task"}


def test_similar_papers_share_concepts(store):
    """The SAM paper (seeds/001_…) shares concepts with others; each listed concept is its own."""
    own = {r["target"] for r in rows(store, "concepts-of-paper", paper=SAM_PAPER) if r["relation"] != "hasCode"}
    found = rows(store, "similar-papers", paper=SAM_PAPER)
    assert found and all(r["title"] == SAM_PAPER for r in found)
    for r in found:
        concepts = set(r["concepts"].split(", "))
        assert r["similar"] != SAM_PAPER and int(r["shared"]) == len(concepts) >= 1
        assert concepts <= own
    shared = [int(r["shared"]) for r in found]
    assert shared == sorted(shared, reverse=True)


def test_code_without_url(store):
    """seeds/001_…, "4-bit Shampoo ...": "The source code will be made available." """
    found = rows(store, "papers-mentioning-code-without-url")
    shampoo = [r for r in found if r["title"] == "4-bit Shampoo for Memory-Efficient Network Training"]
    assert shampoo and shampoo[0]["sentence"] == "The source code will be made available."
    with_code = {r["title"] for r in rows(store, "papers-with-code")}
    assert not with_code & {r["title"] for r in found}


@pytest.mark.parametrize("name,label", [("most-used-datasets", "dataset"), ("most-used-methods", "method"),
                                        ("most-addressed-tasks", "task"), ("most-reported-metrics", "metric")])
def test_rankings_are_sorted(store, name: str, label: str):
    found = rows(store, name)
    counts = [int(r["papers"]) for r in found]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 2
    assert len({r[label] for r in found}) == len(found)


def test_pairs_agree_with_parameterised_queries(store):
    """The top method-dataset pair is found again from the method's side, in upper case."""
    pair = rows(store, "method-dataset-pairs")[0]
    again = rows(store, "datasets-with-method", method=pair["method"].upper())
    assert {"dataset": pair["dataset"], "papers": pair["papers"]} in [
        {"dataset": r["dataset"], "papers": r["papers"]} for r in again
    ]
    assert all(r["method"] == pair["method"].upper() for r in again)


def test_tasks_and_datasets_domainbed(store):
    """seeds/001_…: "... methods follow the widely used benchmark, DomainBed ..." (domain generalization)."""
    found = rows(store, "tasks-and-datasets")
    assert any(r["dataset"] == "DomainBed" and "domain generalization" in r["task"].lower() for r in found)


def test_metrics_for_dataset_matches_pairs(store):
    pairs = rows_of(store, "SELECT ?d WHERE { ?p kg:usesDataset/skos:prefLabel ?d ; kg:reportsMetric ?m } LIMIT 1")
    if not pairs:
        pytest.skip("the extractor found no paper with both a dataset and a metric")
    found = rows(store, "metrics-for-dataset", dataset=pairs[0].lower())
    assert found and all(int(r["papers"]) >= 1 for r in found)
    assert rows(store, "metrics-for-dataset", dataset="no such dataset") == []


def test_dataset_description_counts(built, store):
    _, summary = built
    found = {r["class"]: int(r["entities"]) for r in rows(store, "dataset-description")}
    assert found["kg:Paper"] == found["schema:ScholarlyArticle"] == summary.papers  # classes by prefixed name
    assert found["kg:Repository"] == summary.repositories
    # every result has its own evidence mention over the number, besides the concept mentions
    results = int(rows_of(store, "SELECT (COUNT(?r) AS ?n) WHERE { ?r a kg:Result }")[0])
    assert found.get("kg:Result", 0) == results > 0
    assert found["kg:Mention"] == summary.mentions + results
    assert found["kg:Concept"] == sum(summary.concepts.values())
    assert found["(entities)"] == found["kg:Paper"] + found["kg:Concept"] + found["kg:Repository"] + found["kg:Mention"] \
        + found.get("kg:ExtractionRun", 0) + found.get("kg:Result", 0)
    void_triples = rows_of(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(res:void))) }")
    assert found["(triples)"] + int(void_triples[0]) == summary.triples == len(store)


# ---------------------------------------------------------------------------
# kg query: parameters, errors, output formats
# ---------------------------------------------------------------------------


def test_missing_and_unknown_parameters(store):
    with pytest.raises(UsageError, match="--param method="):
        run_named(store, "datasets-with-method", {})
    with pytest.raises(UsageError, match="no parameter"):
        run_named(store, "datasets-with-method", {"method": "x", "metod": "y"})


def test_parameters_are_terms_not_text(store):
    """A quote in a parameter is data, not SPARQL: no injection, just no match."""
    evil = 'x")) } UNION { ?m ?p ?o } #'
    assert rows(store, "datasets-with-method", method=evil) == []


def test_unprojected_parameter_is_a_query_error(store):
    with pytest.raises(QueryError, match="projection"):
        run_query(store, "SELECT ?p WHERE { ?p a kg:Paper ; dcterms:title ?t FILTER(?t = ?x) }", {"x": "y"})


def test_cli_list_and_formats(built, capsys):
    out, _ = built
    assert main(["query", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "papers-with-code" in listing and "--param method=" in listing
    assert main(["query", "repository-hosts", "--out", str(out), "--format", "csv"]) == 0
    csv = capsys.readouterr().out
    assert csv.splitlines()[0] == "host,codeHost,repositories,papers"
    assert csv.splitlines()[1].startswith("github.com,true,")
    assert main(["query", "datasets-with-method", "--out", str(out), "--format", "json",
                 "--param", "method=sharpness-aware minimization"]) == 0
    assert '"vars":["method","dataset","papers"]' in capsys.readouterr().out.replace(" ", "")
    assert main(["query", "datasets-with-method", "--out", str(out)]) == 2
    assert "--param method=" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# The store: pyoxigraph and rdflib (oxrdflib) over the same directory
# ---------------------------------------------------------------------------


def test_store_is_loaded(built, store):
    _, summary = built
    assert len(store) == summary.triples


def test_rdflib_graph_over_the_store(built):
    out, summary = built
    graph = rdflib_graph(out / "store")
    try:
        assert len(graph) == summary.triples
        repo = URIRef(RETROMAE)
        schema = "https://schema.org/"
        owners = list(graph.subjects(URIRef(schema + "codeRepository"), repo))
        assert len(owners) == 1
        answer = graph.query("SELECT ?r ?t WHERE { ?p kg:hasCode ?r ; dcterms:title ?t }",  # ?r projected: SEP-0007
                             initBindings={"r": owners[0]})
        assert [str(r.t) for r in answer][0].startswith("RetroMAE")
        with pytest.raises((OSError, RuntimeError)):  # read-only
            graph.add((repo, URIRef(schema + "name"), Literal("x")))
    finally:
        graph.close()


def test_rdflib_graph_needs_a_store(tmp_path):
    with pytest.raises(UsageError):
        rdflib_graph(tmp_path)


RANKINGS = {"most-used-methods": "method", "most-used-datasets": "dataset", "most-reported-metrics": "metric",
            "most-addressed-tasks": "task"}


def test_generic_concepts_are_in_the_graph_and_out_of_rankings_and_pairs(store):
    """The build marks "training data" (seeds/000_…: "observed in the training data") a
    kg:GenericConcept; rankings and pairings leave such concepts out, similar-papers too."""
    generic = {term_text(s["label"]) for s in store.query(
        "PREFIX kg: <https://w3id.org/kg-papers/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?label WHERE { ?c a kg:GenericConcept ; skos:prefLabel ?label }")}
    assert "training data" in generic
    for name, column in RANKINGS.items():
        assert not {r[column] for r in rows(store, name)} & generic, name
    for name, columns in {"method-dataset-pairs": ("method", "dataset"), "tasks-and-datasets": ("task", "dataset")}.items():
        assert not {r[c] for r in rows(store, name) for c in columns} & generic, name
    shared = {label for r in rows(store, "similar-papers", paper=SAM_PAPER) for label in r["concepts"].split(", ")}
    assert shared and not shared & generic


# ---------------------------------------------------------------------------
# The counts the export writes for the queries (kg.rdf.aggregates), and the queries
# rewritten for Oxigraph's evaluator: the same rows as before
# ---------------------------------------------------------------------------

BEFORE = ROOT / "tests" / "fixtures" / "queries_before"  # each rewritten query as it was before
REWRITTEN = sorted(p.stem for p in BEFORE.glob("*.rq"))
LINKS = "kg:mentions|kg:usesMethod|kg:proposesMethod|kg:usesDataset|kg:reportsMetric|kg:addressesTask"
# (what the export wrote, the same counted from the links by SPARQL)
COUNTS = {
    "paperCount": (
        "SELECT ?c ?n WHERE { ?c a kg:Concept ; kg:paperCount ?n }",
        f"SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?c a kg:Concept OPTIONAL {{ ?p {LINKS} ?c }} }} GROUP BY ?c",
    ),
    "ConceptPair": (
        "SELECT ?m ?d ?n WHERE { ?x a kg:ConceptPair ; kg:pairMethod ?m ; kg:pairDataset ?d ; kg:pairCount ?n }",
        f"""SELECT ?m ?d (COUNT(DISTINCT ?p) AS ?n) WHERE {{
              ?p kg:usesMethod|kg:proposesMethod ?m ; kg:usesDataset ?d .
              FILTER NOT EXISTS {{ ?m a kg:GenericConcept }} FILTER NOT EXISTS {{ ?d a kg:GenericConcept }}
            }} GROUP BY ?m ?d HAVING (COUNT(DISTINCT ?p) >= {MIN_PAIR_PAPERS})""",
    ),
    "ResultGroup": (
        """SELECT ?d ?m ?n ?k WHERE { ?g a kg:ResultGroup ; kg:groupDataset ?d ; kg:resultCount ?n ; kg:paperCount ?k
                                     OPTIONAL { ?g kg:groupMetric ?m } }""",
        """SELECT ?d ?m (COUNT(DISTINCT ?r) AS ?n) (COUNT(DISTINCT ?p) AS ?k) WHERE {
             ?p kg:reportsResult ?r . ?r kg:onDataset ?d OPTIONAL { ?r kg:onMetric ?m } } GROUP BY ?d ?m""",
    ),
}
# the generated graph's parameters (kg.rdf.bench's, and two that find nothing there: no results)
GENERATED_PARAMS = {**BENCH_PARAMS, "leaderboard": {"dataset": "Synthetic Dataset 1", "metric": "Synthetic Metric 1"},
                    "results-of-paper": {"paper": "Synthetic paper 000042:"}}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> ox.Store:
    """kg.rdf.bench's generated graph of 2,000 papers: over 100 counted method-dataset pairs
    (the bundled corpus has fewer), kinds, acronyms and code links."""
    path = tmp_path_factory.mktemp("generated") / "graph.nt"
    write_graph(path, 2000)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return store


def solutions(store: ox.Store, text: str, params: dict[str, str] | None = None) -> tuple[list[str], list[tuple]]:
    """Variables and rows in order; a GROUP_CONCAT's ("concepts") items sorted, their order being free."""
    results = run_query(store, text, params)
    names = [v.value for v in results.variables]
    found = []
    for s in results:
        row = {v: term_text(s[v]) for v in names}
        if "concepts" in row:
            row["concepts"] = ", ".join(sorted(row["concepts"].split(", ")))
        found.append(tuple(row.values()))
    return names, found


@pytest.mark.parametrize("graph", ["store", "generated"])
@pytest.mark.parametrize("count", sorted(COUNTS))
def test_written_counts_are_the_links_counted(request, graph: str, count: str):
    store = request.getfixturevalue(graph)
    written, counted = COUNTS[count]
    found = set(solutions(store, written)[1])
    assert found == set(solutions(store, counted)[1])
    if graph == "store" or count != "ResultGroup":  # the generated graph states no results
        assert found and all(int(row[-1]) >= 1 for row in found if count != "paperCount")


def test_both_ways_of_method_dataset_pairs_are_tested(store, generated):
    """method-dataset-pairs reads the counted pairs when there are 100 of them and counts the
    rest from the links otherwise: the generated graph takes the one way, the bundled the other."""
    def pairs(s: ox.Store) -> int:
        return int(rows_of(s, "SELECT (COUNT(*) AS ?n) WHERE { ?x a kg:ConceptPair }")[0])

    assert pairs(generated) >= 100 > pairs(store) > 0


def test_every_rewritten_query_has_its_former_text():
    assert set(REWRITTEN) <= set(QUERIES) and len(REWRITTEN) >= 15
    for name in REWRITTEN:
        assert resolve_query(name).text != (BEFORE / f"{name}.rq").read_text(encoding="utf-8"), name


@pytest.mark.parametrize("graph", ["store", "generated"])
@pytest.mark.parametrize("name", REWRITTEN)
def test_rewritten_query_gives_the_rows_it_gave_before(request, graph: str, name: str):
    """Each query rewritten for speed (join order, counts written by the export) returns the
    rows, in the order, its former formulation returns: on the bundled and a generated graph."""
    store = request.getfixturevalue(graph)
    params = (PARAMS if graph == "store" else GENERATED_PARAMS).get(name, {})
    before = solutions(store, (BEFORE / f"{name}.rq").read_text(encoding="utf-8"), params)
    assert solutions(store, resolve_query(name).text, params) == before


def test_rewritten_queries_answer_on_the_generated_graph(generated):
    """The comparison above is not between empty answers."""
    answered = {name for name in REWRITTEN
                if solutions(generated, resolve_query(name).text, GENERATED_PARAMS.get(name, {}))[1]}
    assert set(REWRITTEN) - answered <= {"leaderboard", "results-of-paper", "datasets-with-results"}
