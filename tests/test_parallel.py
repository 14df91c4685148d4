"""Issue 14, point 2: extraction in worker processes gives the bytes one process gives,
comes back in input order, and a failing or dying worker is one error line."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import time
from pathlib import Path

import pytest

from kg.build import BuildOptions, build
from kg.cli import main
from kg.parallel import ExtractionTask, WorkerError, WorkerPool, extract_in_order, resolve_workers
from kg.records import Paper
from kgrun import run

OUTPUTS = ("graph.nt", "graph.ttl")


@pytest.fixture
def pools(monkeypatch) -> list[WorkerPool]:
    """Every WorkerPool started in this process: proof that workers did the extraction."""
    started: list[WorkerPool] = []
    real = WorkerPool.start

    def start(self):
        started.append(self)
        real(self)

    monkeypatch.setattr(WorkerPool, "start", start)
    return started


def papers(n: int, prefix: str = "p") -> list[Paper]:
    return [Paper(f"{prefix}{i}", f"Paper {i} on ResNet-{i}", f"We train BERT on ImageNet and report {i}.5% accuracy "
                  f"on CIFAR-10 with code at https://github.com/a/b{i}.", ("test",)) for i in range(n)]


# --- tasks the workers run instead of the real one (importable by name: this module) ------


class SlowFirstTask(ExtractionTask):
    """The first chunk takes longest: results still come back in input order."""

    def run(self, state, chunk):
        if chunk[0].key == "p0":
            time.sleep(1.0)
        return super().run(state, chunk)


class FailingTask(ExtractionTask):
    """Raises on the paper titled 'Poison'."""

    def run(self, state, chunk):
        if any(p.title == "Poison" for p in chunk):
            raise ValueError("cannot digest this paper\nsecond line")
        return super().run(state, chunk)


class DyingTask(ExtractionTask):
    """The process is killed (as the OOM killer would) on the paper titled 'Poison'."""

    def run(self, state, chunk):
        if any(p.title == "Poison" for p in chunk):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().run(state, chunk)


# --- byte-identical outputs ------------------------------------------------------------------


def test_bundled_corpus_with_the_model_is_byte_identical(tmp_path: Path, pools) -> None:
    """The bundled corpus, model on: two workers write the bytes one process writes (N-Triples
    only, to save time: Turtle is written from the same graph, and the fixture test below
    compares both)."""
    serial = tmp_path / "serial"
    parallel = tmp_path / "parallel"
    common = dict(cache=False, html=False, store=False, rdf_formats=("ntriples",), created="2024-01-01")
    _, one = build(BuildOptions(out_dir=serial, workers=1, **common))
    assert not pools
    _, two = build(BuildOptions(out_dir=parallel, workers=2, **common))
    assert len(pools) == 1 and pools[0].size == 2  # really extracted by two worker processes
    assert (serial / "graph.nt").read_bytes() == (parallel / "graph.nt").read_bytes()
    assert one.line().split("; changes")[0] == two.line().split("; changes")[0]


def test_small_chunks_out_of_order_are_reordered(tmp_path: Path, fixtures: Path, pools) -> None:
    inputs = [str(fixtures / n) for n in ("papers.csv", "hf_daily.txt", "arxiv.jsonl")]
    common = dict(inputs=inputs, fast=True, html=False, store=False, cache=False, created="2024-01-01")
    build(BuildOptions(out_dir=tmp_path / "one", workers=1, **common))
    build(BuildOptions(out_dir=tmp_path / "two", workers=2, chunk_size=1, min_parallel=1, **common))
    assert len(pools) == 1
    for name in OUTPUTS:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_results_come_back_in_input_order() -> None:
    given = papers(12)
    task = SlowFirstTask(fast=True)
    got = list(extract_in_order(given, task, workers=2, chunk_size=2, min_parallel=1))
    assert [e.paper.key for e in got] == [p.key for p in given]
    assert all(e.paper is p for e, p in zip(got, given))  # the parent's own records
    serial = list(extract_in_order(given, ExtractionTask(fast=True), workers=1, chunk_size=5))
    assert got == serial
    assert any(e.mentions for e in got) and any(e.repositories for e in got)


def test_few_papers_are_extracted_in_process(pools) -> None:
    got = list(extract_in_order(papers(5), ExtractionTask(fast=True), workers=2, chunk_size=2, min_parallel=6))
    assert len(got) == 5 and not pools


def test_memory_is_bounded_by_chunks_in_flight() -> None:
    """The reader is never more than `in_flight` chunks ahead of the consumer."""
    read = 0

    def source():
        nonlocal read
        for paper in papers(40):
            read += 1
            yield paper

    ahead = []
    stream = extract_in_order(source(), ExtractionTask(fast=True), workers=2, chunk_size=2, in_flight=3, min_parallel=1)
    with contextlib.closing(stream):
        for i, _ in enumerate(stream, start=1):
            ahead.append(read - i)
    assert max(ahead) <= 3 * 2 + 2  # in-flight chunks, plus the chunk being read


# --- failures ----------------------------------------------------------------------------------


def test_a_worker_exception_is_one_line() -> None:
    given = papers(6)
    given[4] = Paper("bad", "Poison", "An abstract.", ("test",))
    with pytest.raises(WorkerError) as caught:
        list(extract_in_order(given, FailingTask(fast=True), workers=2, chunk_size=2, min_parallel=1))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("extraction failed in worker process ")
    assert "on one of 2 papers (p3 .. bad)" in message or "on one of 2 papers (bad .. p5)" in message
    assert message.endswith("ValueError: cannot digest this paper")


def test_a_dead_worker_is_one_line() -> None:
    given = papers(6)
    given[3] = Paper("bad", "Poison", "An abstract.", ("test",))
    with pytest.raises(WorkerError, match=r"^extraction worker process \d+ stopped \(killed by SIGKILL\); out of memory\?$"):
        list(extract_in_order(given, DyingTask(fast=True), workers=2, chunk_size=2, min_parallel=1))


def test_a_worker_exception_in_a_real_build(tmp_path: Path, fixtures: Path, monkeypatch) -> None:
    """`kg build --workers 2` over 150 papers (enough to start workers): one line, exit 1,
    nothing published, no worker left."""
    monkeypatch.setattr("kg.build.ExtractionTask", FailingTask)
    corpus = tmp_path / "papers.jsonl"
    records = [{"id": f"2501.{i:05d}", "title": f"Paper {i} on ResNet", "abstract": "We use BERT on ImageNet."}
               for i in range(150)]
    records[140]["title"] = "Poison"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out"
    code, stdout, stderr = run("build", str(corpus), "--fast", "--workers", "2", "--out", str(out))
    assert code == 1 and stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("kg: error: extraction failed in worker process ")
    assert "ValueError: cannot digest this paper" in stderr and "Traceback" not in stderr
    assert not (out / "graph.nt").exists()


def test_workers_are_stopped_when_the_consumer_stops() -> None:
    stream = extract_in_order(papers(20), ExtractionTask(fast=True), workers=2, chunk_size=2, min_parallel=1)
    pids = []
    real = WorkerPool.start

    def start(self):
        real(self)
        pids.extend(w.process.pid for w in self._workers)

    WorkerPool.start = start
    try:
        next(stream)
        stream.close()
    finally:
        WorkerPool.start = real
    assert len(pids) == 2
    for pid in pids:
        assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[-1].split()[0] != "Z"
    except OSError:
        return False


# --- options ---------------------------------------------------------------------------------------


def test_worker_counts() -> None:
    assert resolve_workers(3) == 3
    assert resolve_workers(None) >= 1
    for bad in (0, -1, 1.5, True):
        with pytest.raises(Exception, match="workers must be a whole number"):
            resolve_workers(bad)


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_bad_workers_option(value: str, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exc:
        main(["build", "--workers", value, "--out", str(tmp_path / "out")])
    assert exc.value.code == 2 and "--workers: not a number of processes" in err.getvalue()


def test_api_accepts_workers(fixtures: Path, pools) -> None:
    import kg

    one = kg.build_graph(fixtures / "papers.csv", fast=True)
    two = kg.build_graph(fixtures / "papers.csv", fast=True, workers=2)
    assert sorted(one.graph.nodes) == sorted(two.graph.nodes)
    with pytest.raises(Exception, match="workers must be"):
        kg.build_graph(fixtures / "papers.csv", fast=True, workers=0)


def test_workers_ignore_sigint(capfd) -> None:
    """Ctrl-C in a terminal reaches every process of the group: workers leave it to the
    parent (which stops them), so none prints a traceback or stops on its own."""
    with WorkerPool(ExtractionTask(fast=True), 2) as pool:
        for chunk in (papers(2), papers(2, "q")):
            pool.submit(chunk)
        assert [len(pool.next_result()) for _ in range(2)] == [2, 2]  # both ready, now idle
        for worker in pool._workers:
            os.kill(worker.process.pid, signal.SIGINT)
        time.sleep(0.5)
        assert all(w.process.poll() is None for w in pool._workers)
        pool.submit(papers(3, "r"))
        assert [e.paper.key for e in pool.next_result()] == ["r0", "r1", "r2"]
    assert "Traceback" not in capfd.readouterr().err


def test_workers_run_their_blas_on_one_thread(monkeypatch) -> None:
    """Two workers on two cores each starting a BLAS thread per core would fight over them."""
    import subprocess

    import kg.parallel

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's own setting is kept
    environs = []
    real = subprocess.Popen

    def popen(*args, **kwargs):
        environs.append(kwargs.get("env"))
        return real(*args, **kwargs)

    monkeypatch.setattr(kg.parallel.subprocess, "Popen", popen)
    with WorkerPool(ExtractionTask(fast=True), 2):
        pass
    assert len(environs) == 2
    for environ in environs:
        assert environ is not None and environ["OPENBLAS_NUM_THREADS"] == "1" and environ["OMP_NUM_THREADS"] == "3"
