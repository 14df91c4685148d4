"""Issue 14, point 4: `kg build --scheduler ADDRESS` extracts on a real Dask cluster (a
scheduler and two workers on 127.0.0.1, separate processes) and writes the bytes a local
`--workers 1` build writes; failures are one line, and OUT is left alone."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from kg.build import BuildOptions, build  # noqa: E402
from kg.cli import main, make_parser  # noqa: E402
from kg.cluster import ClusterError, ClusterExtractor, extract_on_cluster  # noqa: E402
from kg.parallel import ExtractionTask  # noqa: E402
from kg.records import Paper  # noqa: E402
from kgrun import run  # noqa: E402

OUTPUTS = ("graph.nt", "graph.ttl")
START_TIMEOUT = 90  # seconds for the scheduler and both workers to come up on a loaded machine
README = Path(__file__).resolve().parents[1] / "README.md"


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> str:
    """A scheduler and two one-thread workers, each its own process on 127.0.0.1; yields the
    scheduler's address and stops all three (no orphans) at the end."""
    folder = tmp_path_factory.mktemp("dask")
    file = folder / "scheduler.json"
    quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                   "--port", "0", "--no-dashboard", "--scheduler-file", str(file)],
                                  cwd=folder, **quiet)]
    try:
        for _ in range(2):
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(file), "--nthreads", "1",
                 "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1", "--local-directory", str(folder)],
                cwd=folder, **quiet))
        deadline = time.monotonic() + START_TIMEOUT
        while not file.exists() and time.monotonic() < deadline:
            assert processes[0].poll() is None, "the scheduler exited"
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        with distributed.Client(address, timeout=START_TIMEOUT, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT)
        yield address
    finally:
        _stop(processes[1:])
        _stop(processes[:1])


def _scheduler_state(address: str) -> tuple[int, int]:
    """(kg extraction tasks the scheduler holds, clients connected besides this one)."""

    def state(dask_scheduler) -> tuple[int, int]:
        tasks = sum(1 for key in dask_scheduler.tasks if str(key).startswith("kg-extract-"))
        return tasks, len([c for c in dask_scheduler.clients if not c.startswith("fire-and-forget")])

    with distributed.Client(address, timeout=30, set_as_default=False) as client:
        tasks, clients = client.run_on_scheduler(state)
    return tasks, clients - 1


def _same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_cluster_build_equals_local_build(cluster, tmp_path) -> None:
    """The bundled corpus (407 papers: seven chunks over two workers), --fast, no cache."""
    local, remote = tmp_path / "local", tmp_path / "remote"
    code, _, err = run("build", "--fast", "--no-html", "--no-cache", "--workers", "1", "--out", str(local))
    assert code == 0, err
    code, out, err = run("build", "--fast", "--no-html", "--no-cache", "--scheduler", cluster, "--out", str(remote))
    assert code == 0, err
    assert re.match(r"^407 papers ", out)
    _same_outputs(local, remote)
    assert _scheduler_state(cluster) == (0, 0)  # the client closed, its tasks released


def test_cluster_build_uses_the_cache(cluster, tmp_path) -> None:
    """Cached papers never travel: a rebuild through the cluster extracts nothing, and gives
    the bytes of a local build over the same cache."""
    inputs = [str(Path(__file__).parent / "fixtures" / n) for n in ("arxiv.jsonl", "papers.csv", "hf_daily.txt")]
    out, local = tmp_path / "out", tmp_path / "local"
    code, _, err = run("build", *inputs, "--fast", "--no-html", "--scheduler", cluster, "--out", str(out))
    assert code == 0, err
    assert "reused" not in err
    code, _, err = run("build", *inputs, "--fast", "--no-html", "--scheduler", cluster, "--out", str(out))
    assert code == 0 and "extracted 0 papers" in err
    code, _, err = run("build", *inputs, "--fast", "--no-html", "--no-cache", "--workers", "1", "--out", str(local))
    assert code == 0, err
    _same_outputs(out, local)
    extracted: list[int] = []
    papers = [Paper(f"k{i}", f"Title {i} with BERT", f"We train ResNet-{i} on ImageNet.", ("t",)) for i in range(5)]

    class Cache:  # counts what reaches the cluster; everything else a hit
        version = bytes.fromhex(_local_version())

        def lookup(self, chunk):
            return [(p.key, None if p.key in ("k1", "k3") else _fake(p)) for p in chunk]

        def store(self, new):
            extracted.extend(1 for _ in new)

    got = list(extract_on_cluster(papers, ExtractionTask(fast=True), cluster, cache=Cache(), chunk_size=2))
    assert [e.paper.key for e in got] == ["k0", "k1", "k2", "k3", "k4"]
    assert len(extracted) == 2 and got[1].mentions and got[0].mentions == ()


def _fake(paper: Paper):
    from kg.records import ExtractedPaper

    return ExtractedPaper(paper, (), (), ())


def _local_version(fast: bool = True) -> str:
    from kg.cache import extraction_version

    return extraction_version(fast, 0.0).hex()


@pytest.mark.slow
def test_cluster_build_with_the_model_equals_local_build(cluster, tmp_path) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    common = dict(html=False, store=False, cache=False, chunk_size=32)
    build(BuildOptions(out_dir=local, workers=1, **common))
    build(BuildOptions(out_dir=remote, scheduler=cluster, **common))
    _same_outputs(local, remote)


def test_unreachable_scheduler_is_one_line_and_out_untouched(tmp_path) -> None:
    out = tmp_path / "out"
    code, _, _ = run("build", "--fast", "--no-html", "--workers", "1", "--out", str(out),
                     str(Path(__file__).parent / "fixtures" / "arxiv.jsonl"))
    assert code == 0
    before = {n: (out / n).read_bytes() for n in OUTPUTS}
    current = os.readlink(out / ".current")
    code, stdout, err = run("build", "--fast", "--no-html", "--scheduler", "tcp://127.0.0.1:9", "--out", str(out))
    assert code == 1 and stdout == ""
    assert err.count("\n") == 1 and err.startswith("kg: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9: ")
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == before and os.readlink(out / ".current") == current
    with pytest.raises(ClusterError, match="cannot reach"):
        next(extract_on_cluster(iter(()), ExtractionTask(fast=True), "tcp://127.0.0.1:9", connect_timeout=0.5))


@pytest.mark.parametrize("argv, message", [
    (("--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"), "exclude each other"),
    (("--scheduler", "http://127.0.0.1:8786"), "not a Dask address"),
    (("--scheduler", "tcp://a b"), "bad --scheduler"),
])
def test_bad_scheduler_options_are_usage_errors(tmp_path, argv, message) -> None:
    code, _, err = run("build", "--fast", *argv, "--out", str(tmp_path / "out"))
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_failing_task_is_one_line_naming_the_chunk(cluster) -> None:
    """A paper extraction cannot read (no abstract text) fails on the worker: one line that
    names the chunk's papers and the worker."""
    good = Paper("good", "A title", "We use BERT.", ("t",))
    bad = Paper("bad-paper", "A title", None, ("t",))  # type: ignore[arg-type]
    with pytest.raises(ClusterError) as caught:
        list(extract_on_cluster([good, bad], ExtractionTask(fast=True), cluster, chunk_size=2))
    message = str(caught.value)
    assert "\n" not in message and "2 papers (good .. bad-paper)" in message and "Dask worker tcp://127.0.0.1:" in message
    assert _scheduler_state(cluster) == (0, 0)


def test_worker_with_another_extraction_version_is_refused(cluster) -> None:
    with distributed.Client(cluster, set_as_default=False) as client:
        extractor = ClusterExtractor(client, ExtractionTask(fast=True), "00" * 32)
        extractor.submit([Paper("p", "A title", "We use BERT.", ("t",))])
        with pytest.raises(ClusterError, match="extracts with another kg"):
            extractor.next_result()
        extractor.close(True)


def test_interrupt_cancels_the_tasks_and_leaves_out_alone(cluster, tmp_path) -> None:
    from kg.benchcorpus import write_corpus

    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 1500)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(corpus), "--fast", "--no-html",
                                "--no-cache", "--scheduler", cluster, "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while _scheduler_state(cluster)[0] == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert process.poll() is None, "the build ended before its tasks were seen"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == f"kg: interrupted; nothing in {out} was replaced"
    assert "Traceback" not in err, err
    assert not (out / ".current").exists()
    deadline = time.monotonic() + 30
    while _scheduler_state(cluster) != (0, 0) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _scheduler_state(cluster) == (0, 0)


def test_readme_synopsis_names_every_build_option() -> None:
    """The README's `kg build` synopsis matches `kg build --help`: every option is in it."""
    parser = make_parser()
    build_parser = next(a for a in parser._subparsers._group_actions[0].choices.items() if a[0] == "build")[1]
    options = {s for a in build_parser._actions for s in a.option_strings if s.startswith("--") and s != "--help"}
    text = README.read_text(encoding="utf-8")
    synopsis = text[text.index("kg build [INPUT ...]"):text.index("kg query NAME")]
    assert {o for o in options if o not in synopsis} == set()
