"""kg: a knowledge-graph builder for machine-learning papers.

The public API (kg.api), in a notebook::

    import kg
    g = kg.build_graph(df)      # a DataFrame, a list of dicts, or file paths; writes nothing
    g.papers(), g.concepts(), g.mentions(), g.edges()   # pandas DataFrames
    g.networkx(); g.to_rdf("graph.ttl"); g.export("graphml", "g.graphml"); g.write("outputs")
    kg.load("outputs").papers()  # a built folder read back from its RDF

`kg.build.build` is what `kg build` runs; the stages are :mod:`kg.ingest`,
:mod:`kg.extract`, :mod:`kg.graph`, :mod:`kg.rdf`, :mod:`kg.viz` and :mod:`kg.export`.
The API's names load on first use, so `import kg` stays fast and imports no spaCy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = ("KnowledgeGraph", "KgWarning", "build_graph", "from_dataframe", "from_files", "from_records", "load",
        "read_records")
__all__ = ["__version__", *_API]

if TYPE_CHECKING:
    from kg.api import (KgWarning, KnowledgeGraph, build_graph, from_dataframe, from_files, from_records, load,
                        read_records)


def __getattr__(name: str) -> Any:
    """The API's names, imported when first used (PEP 562)."""
    if name in _API:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
