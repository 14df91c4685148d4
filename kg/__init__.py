"""kg: a knowledge-graph builder for machine-learning papers.

The public API is small: :func:`kg.build.build` runs everything; the stages are
:mod:`kg.ingest`, :mod:`kg.extract`, :mod:`kg.graph`, :mod:`kg.rdf` and :mod:`kg.viz`.
"""

__version__ = "0.1.0"
