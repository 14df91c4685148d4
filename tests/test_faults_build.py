"""Issue 12, `kg build` faults: nothing lost, nothing crashes.

The catalogue: each case runs `kg build` the way a user gets it wrong (a typo'd path, an
empty or binary file, a bad option, an unusable --out, a full disk, Ctrl-C, kill -9, two
builds at once) into a folder that already holds a good build, and checks the one-line
message, the exit code, and that the good build survived untouched: graph.nt, graph.ttl
and graph.html byte for byte, and a store that still opens with the same triples.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cache import CACHE_DIR
from kg.outdir import BUILDS, CURRENT, LOCK_NAME
from kgrun import run

KG = Path(sys.executable).parent / "kg"
FILES = ("graph.ttl", "graph.nt", "graph.html", "changes.json")


@pytest.fixture(scope="module")
def good(tmp_path_factory, fixtures: Path) -> Path:
    """A good build (two small fixtures, rules only) to copy for every case."""
    out = tmp_path_factory.mktemp("good") / "out"
    code, _, stderr = run("build", str(fixtures / "papers.csv"), str(fixtures / "hf_daily.txt"), "--fast", "--out", str(out))
    assert code == 0, stderr
    return out


@pytest.fixture
def out(good: Path, tmp_path: Path) -> Path:
    """A copy of the good build (links and all) that a case may try to damage."""
    copy = tmp_path / "out"
    shutil.copytree(good, copy, symlinks=True)
    return copy


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES}


def assert_intact(out: Path, before: dict[str, bytes]) -> None:
    """The earlier build is what OUT shows, complete, with nothing of the failed one left."""
    assert snapshot(out) == before
    store = ox.Store.read_only(os.path.realpath(out / "store"))
    assert len(store) == len(before["graph.nt"].splitlines())
    del store
    assert os.listdir(out / BUILDS) == [Path(os.readlink(out / CURRENT)).name]  # no staging left
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]


@pytest.fixture
def no_extraction(monkeypatch):
    """Cases that must fail before any paper is read: reading is an error."""
    def refuse(*args, **kwargs):
        raise AssertionError("extraction started")

    monkeypatch.setattr("kg.build.collect_graph", refuse)


# --- inputs -------------------------------------------------------------------------


@pytest.mark.parametrize("strict", [False, True])
def test_missing_input_path_is_fatal(out: Path, tmp_path: Path, fixtures: Path, no_extraction, strict: bool) -> None:
    before = snapshot(out)
    missing = tmp_path / "typo.jsonl"
    code, stdout, stderr = run("build", str(fixtures / "papers.csv"), str(missing), "--out", str(out),
                               *(["--strict"] if strict else []))
    assert (code, stdout, stderr) == (3, "", f"kg: error: {missing}: no such file\n")
    assert_intact(out, before)


def test_several_missing_inputs_are_counted(out: Path, tmp_path: Path, no_extraction) -> None:
    code, _, stderr = run("build", str(tmp_path / "a.jsonl"), str(tmp_path / "b.csv"), "--out", str(out))
    assert code == 3
    assert stderr == f"kg: error: {tmp_path / 'a.jsonl'}: no such file (and 1 more missing inputs)\n"


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (b"\x00\x01\x02binary\x00", "binary file"),
])
def test_a_file_without_papers_replaces_nothing(out: Path, tmp_path: Path, content: bytes, reason: str) -> None:
    before = snapshot(out)
    bad = tmp_path / "papers.jsonl"
    bad.write_bytes(content)
    code, stdout, stderr = run("build", str(bad), "--fast", "--out", str(out))
    assert code == 3 and stdout == ""
    lines = stderr.splitlines()
    assert lines[0].startswith(f"warning: {bad}: {reason}")
    assert lines[-1].startswith(f"kg: error: no papers: read 0 records from 1 file ({bad}), 1 skipped (1 {reason}")
    assert lines[-1].endswith(f"; nothing in {out} was replaced")
    assert_intact(out, before)


def test_a_folder_without_input_files(out: Path, tmp_path: Path) -> None:
    before = snapshot(out)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4")
    code, _, stderr = run("build", str(folder), "--fast", "--out", str(out))
    assert code == 3
    assert stderr.splitlines() == [
        f"warning: {folder}: folder without input files (none with a suffix kg reads: .txt, .jsonl, .csv ...)",
        f"kg: error: no papers: read 0 records from no input files, 1 skipped (1 folder without input files); "
        f"nothing in {out} was replaced",
    ]
    # --strict does not make it silent either: it is the first bad input.
    code, _, stderr = run("build", str(folder), "--fast", "--strict", "--out", str(out))
    assert code == 3
    assert stderr == f"kg: error: {folder}: folder without input files (none with a suffix kg reads: .txt, .jsonl, .csv ...)\n"
    assert_intact(out, before)


def test_a_first_build_without_papers_leaves_no_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, _, stderr = run("build", str(empty), "--fast", "--out", str(tmp_path / "new"))
    assert code == 3 and "no papers" in stderr
    assert not (tmp_path / "new").exists()


def test_strict_bad_record_replaces_nothing(out: Path, fixtures: Path) -> None:
    before = snapshot(out)
    code, _, stderr = run("build", str(fixtures / "arxiv.jsonl"), "--fast", "--strict", "--out", str(out))
    assert code == 3 and stderr.startswith(f"kg: error: {fixtures / 'arxiv.jsonl'}:5: malformed JSON")
    assert_intact(out, before)


# --- options: checked before extraction starts ----------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--rdf-format", "bogus"], "unknown RDF format 'bogus'; known: turtle, ntriples, jsonld, rdfxml"),
    (["--rdf-format", "jsonld", "--rdf-format", "bogus"], "unknown RDF format 'bogus'"),
    (["--format", "xml"], "unknown input format 'xml'; known: hf-daily, jsonl, csv"),
    (["--base", "kg-papers/resource/"], "bad --base 'kg-papers/resource/': it is not an absolute http:// or https:// IRI"),
    (["--base", "ftp://example.org/r/"], "it is not an absolute http:// or https:// IRI"),
    (["--base", "https://example.org/r"], "bad --base 'https://example.org/r': it must end with '/' or '#'"),
    (["--base", "https://example.org/my papers/"], "it contains ' ', not allowed in an IRI"),
    (["--base", "https://example.org/<r>/"], "it contains '<', '>', not allowed in an IRI"),
    (["--base", "https://example.org/\nkg: error: forged/"], "bad --base 'https://example.org/\\nkg: error: forged/'"),
    (["--base", "https://[::1/"], "bad --base 'https://[::1/': Invalid IPv6 URL"),
    (["--base", "https://exa mple.org:80x/"], "not allowed in an IRI"),
])
def test_bad_options_fail_before_extraction(out: Path, fixtures: Path, no_extraction, args, message) -> None:
    before = snapshot(out)
    code, stdout, stderr = run("build", str(fixtures / "papers.csv"), "--out", str(out), *args)
    assert code == 2 and stdout == ""
    assert stderr.startswith("kg: error: ") and message in stderr
    assert stderr.count("\n") == 1  # one line, whatever the option held
    assert_intact(out, before)


def test_good_bases_are_accepted() -> None:
    from kg.build import check_base_iri

    for base in ("https://w3id.org/kg-papers/resource/", "http://example.org/kg#", "HTTPS://example.org:8080/a/b/"):
        assert check_base_iri(base) == base


def test_out_is_a_file(tmp_path: Path, fixtures: Path, no_extraction) -> None:
    target = tmp_path / "graph.nt"
    target.write_text("not a folder\n")
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--out", str(target))
    assert (code, stderr) == (5, f"kg: error: --out {target} is a file, not a folder\n")
    assert target.read_text() == "not a folder\n"


@pytest.mark.parametrize(("where", "reason"), [
    ("file/sub", "Not a directory"),
    ("/sys/kg-test-out", None),  # sysfs refuses new folders, even to root
])
def test_out_cannot_be_created(tmp_path: Path, fixtures: Path, no_extraction, where: str, reason: str | None) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / where if not where.startswith("/") else Path(where)
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--out", str(target))
    assert code == 5
    assert stderr.startswith(f"kg: error: cannot create the output folder {target}: ")
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    if reason:
        assert reason in stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_is_read_only(out: Path, fixtures: Path, no_extraction) -> None:
    before = snapshot(out)
    os.chmod(out, 0o555)
    try:
        code, _, stderr = run("build", str(fixtures / "papers.csv"), "--out", str(out))
    finally:
        os.chmod(out, 0o755)
    assert code == 5 and stderr.startswith(f"kg: error: cannot write into the output folder {out}: Permission denied")
    assert_intact(out, before)


def test_out_read_only_by_the_system(fixtures: Path, no_extraction) -> None:
    """An existing folder nobody may write into, even root: /proc."""
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--out", "/proc/self")
    assert code == 5 and stderr.startswith("kg: error: cannot write into the output folder /proc/self: ")
    assert stderr.count("\n") == 1


# --- failures while writing ----------------------------------------------------------------


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("step", ["kg.rdf.write.ox.serialize", "kg.rdf.nt.write_ntriples",
                                  "kg.rdf.write.StreamingLoad._load", "kg.viz.write_html"])
def test_disk_full_while_writing(out: Path, fixtures: Path, monkeypatch, step: str) -> None:
    before = snapshot(out)
    monkeypatch.setattr(step if step != "kg.rdf.nt.write_ntriples" else "kg.rdf.write.write_ntriples", _disk_full)
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--out", str(out))
    assert code == 5
    assert stderr.startswith("kg: error: cannot ")
    assert "No space left on device" in stderr
    assert stderr.count("\n") == 1
    assert_intact(out, before)


def test_ctrl_c_before_publishing_replaces_nothing(out: Path, fixtures: Path, monkeypatch) -> None:
    before = snapshot(out)
    from kg import build as build_module

    real = build_module.write_rdf

    def write_then_interrupt(*args, **kwargs):
        real(*args, **kwargs)  # ttl and nt are staged, then the user presses Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "write_rdf", write_then_interrupt)
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--out", str(out))
    assert (code, stderr) == (130, f"kg: interrupted; nothing in {out} was replaced\n")
    assert_intact(out, before)


def test_ctrl_c_after_publishing_says_so(out: Path, fixtures: Path, monkeypatch) -> None:
    before = snapshot(out)

    def interrupted(self, *args):
        raise KeyboardInterrupt

    monkeypatch.setattr("kg.outdir.Publication._tidy", interrupted)
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--no-html", "--out", str(out))
    assert code == 130
    assert stderr == f"kg: interrupted after the new build was published; {out} holds its complete outputs\n"
    assert (out / "graph.nt").read_bytes() != before["graph.nt"]
    store = ox.Store.read_only(os.path.realpath(out / "store"))
    assert len(store) == len((out / "graph.nt").read_bytes().splitlines())


# --- one set ---------------------------------------------------------------------------------


def test_outputs_are_links_into_one_build(out: Path) -> None:
    current = os.path.realpath(out / CURRENT)
    for name in (*FILES, "store"):
        assert (out / name).is_symlink()
        assert os.path.realpath(out / name) == os.path.join(current, name)


def test_fewer_outputs_leave_no_stale_one(out: Path, fixtures: Path) -> None:
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--rdf-format", "jsonld", "--out", str(out))
    assert code == 0, stderr
    assert (out / "graph.jsonld").is_file()
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--no-html", "--out", str(out))
    assert code == 0, stderr
    names = sorted(p for p in os.listdir(out) if not p.startswith("."))
    assert names == ["changes.json", "graph.nt", "graph.ttl", "store"]  # no graph.html or graph.jsonld of the earlier build
    assert len(os.listdir(out / BUILDS)) == 1


def test_an_older_layout_is_migrated(tmp_path: Path, good: Path, fixtures: Path) -> None:
    """A folder an older kg wrote (plain files, a store folder, a stale graph.jsonld and
    its temporary leftovers) becomes links into one build."""
    old = tmp_path / "old"
    old.mkdir()
    for name in ("graph.ttl", "graph.nt", "graph.html"):
        shutil.copyfile(good / name, old / name)
    shutil.copytree(os.path.realpath(good / "store"), old / "store")
    (old / "graph.jsonld").write_text("{}")
    (old / ".graph.ttl.abc123.tmp").write_bytes(b"x" * 1000)
    (old / ".store.old").mkdir()
    (old / "eval.json").write_text("{}")  # not a build output: kept
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--out", str(old))
    assert code == 0, stderr
    assert "removed 2 leftovers of interrupted builds" in stderr
    assert sorted(p for p in os.listdir(old) if not p.startswith(".")) == [
        "changes.json", "eval.json", "graph.html", "graph.nt", "graph.ttl", "store"]
    for name in (*FILES, "store"):
        assert (old / name).is_symlink()
    assert os.listdir(old / BUILDS) == [Path(os.readlink(old / CURRENT)).name]


def test_leftovers_of_killed_builds_are_removed(out: Path, fixtures: Path) -> None:
    dead = out / BUILDS / "20240101T000000-99999-dead"
    (dead / "store").mkdir(parents=True)
    (dead / "graph.nt").write_bytes(b"x" * 2_000_000)
    (out / ".graph.ttl.k2j3h4.tmp").write_bytes(b"y" * 1_000_000)
    (out / ".store.x8d7f").mkdir()
    os.symlink(f"{BUILDS}/20240101T000000-99999-dead", out / f"{CURRENT}.dead.tmp")
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--out", str(out))
    assert code == 0, stderr
    assert f"removed 4 leftovers of interrupted builds (3.0 MB) from {out}" in stderr
    assert sorted(os.listdir(out)) == sorted([BUILDS, CACHE_DIR, CURRENT, LOCK_NAME, *FILES, "store"])
    assert len(os.listdir(out / BUILDS)) == 1


def test_a_second_build_into_a_busy_folder_is_refused(out: Path, fixtures: Path, no_extraction) -> None:
    before = snapshot(out)
    fd = os.open(out / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.ftruncate(fd, 0)
        os.write(fd, b"4242\n")
        code, _, stderr = run("build", str(fixtures / "papers.csv"), "--out", str(out))
    finally:
        os.close(fd)
    assert code == 5
    assert stderr == (f"kg: error: another kg build (pid 4242) is writing into {out}; "
                      "wait for it to finish or choose another --out\n")
    assert_intact(out, before)


# --- file names cannot forge output lines --------------------------------------------------------


def test_control_characters_in_file_names_are_escaped(tmp_path: Path, out: Path) -> None:
    name = "a\nkg: error: forged\x1b[31m\u202e.jsonl"
    bad = tmp_path / name
    code, _, stderr = run("build", str(bad), "--out", str(out))
    assert code == 3
    assert stderr == f"kg: error: {tmp_path}/a\\nkg: error: forged\\x1b[31m\\u202e.jsonl: no such file\n"
    bad.write_bytes(b"")  # now it exists and is empty: the warning and the error name it escaped
    code, _, stderr = run("build", str(bad), "--fast", "--out", str(out))
    assert code == 3
    assert len(stderr.splitlines()) == 2 and "\x1b" not in stderr and "\u202e" not in stderr
    assert stderr.startswith(f"warning: {tmp_path}/a\\nkg: error: forged\\x1b[31m\\u202e.jsonl: empty file")


def test_undecodable_file_name_bytes_print(tmp_path: Path, out: Path) -> None:
    bad = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.jsonl"))
    code, _, stderr = run("build", str(bad), "--out", str(out))
    assert (code, stderr) == (3, f"kg: error: {tmp_path}/caf\\xe9.jsonl: no such file\n")


# --- real processes: signals and a concurrent build ------------------------------------------------


def _start(out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(KG), "build", "--out", str(out), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_lock(out: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until `process` holds OUT's lock (it writes its pid there once it does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (out / LOCK_NAME).read_text().strip() == str(process.pid):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError("the build never took the lock")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_a_real_build(out: Path, sig: signal.Signals) -> None:
    before = snapshot(out)
    process = _start(out)  # the bundled corpus with the model: seconds of extraction
    _wait_for_lock(out, process)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.splitlines()[-1] == f"kg: interrupted; nothing in {out} was replaced"
    assert "Traceback" not in stderr
    assert_intact(out, before)


def test_kill_9_leaves_the_build_intact_and_the_next_build_cleans_up(out: Path, fixtures: Path) -> None:
    before = snapshot(out)
    process = _start(out)
    _wait_for_lock(out, process)
    process.kill()
    process.communicate(timeout=60)
    assert snapshot(out) == before
    assert len(os.listdir(out / BUILDS)) == 2  # the killed build's staging folder is left over...
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--out", str(out))
    assert code == 0, stderr  # ...and its lock died with it
    assert "removed 1 leftovers of interrupted builds" in stderr
    assert len(os.listdir(out / BUILDS)) == 1


def test_two_builds_at_once(out: Path, fixtures: Path) -> None:
    first = _start(out, str(fixtures / "papers.csv"), "--fast")
    _wait_for_lock(out, first)
    first.send_signal(signal.SIGSTOP)  # hold it mid-build, whatever the machine's speed
    try:
        second = subprocess.run([str(KG), "build", str(fixtures / "hf_daily.txt"), "--fast", "--out", str(out)],
                                capture_output=True, text=True, timeout=120)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 5
    assert second.stderr == (f"kg: error: another kg build (pid {first.pid}) is writing into {out}; "
                             "wait for it to finish or choose another --out\n")
    stdout, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert stdout.startswith("2 papers from 2 records in 1 files")
    store = ox.Store.read_only(os.path.realpath(out / "store"))
    assert len(store) == len((out / "graph.nt").read_bytes().splitlines())


# --- worker processes (issue 14): they die with the build, whatever stops it --------------------


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, command line) of every live process."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[0] != "Z":
            found[int(entry)] = (int(fields[1]), int(fields[2]), command)
    return found


def _wait_for_workers(process: subprocess.Popen, n: int = 2, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = [pid for pid, (ppid, _, command) in _processes().items()
                   if ppid == process.pid and "kg.parallel" in command]
        if len(workers) >= n:
            return workers
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the build never started its workers")


def _gone(pids: list[int], timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not set(pids) & set(_processes()):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("to", ["the build", "its process group"])
def test_ctrl_c_during_a_parallel_build(out: Path, to: str) -> None:
    """SIGINT to the build alone (`kill -INT`) or to its whole process group (Ctrl-C in a
    terminal reaches the workers too): exit 130, OUT untouched, no traceback, no worker left."""
    before = snapshot(out)
    process = subprocess.Popen([str(KG), "build", "--workers", "2", "--out", str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    workers = _wait_for_workers(process)
    if to == "the build":
        process.send_signal(signal.SIGINT)
    else:
        os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.splitlines()[-1] == f"kg: interrupted; nothing in {out} was replaced"
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert _gone(workers)
    assert not [pid for pid, (_, group, _) in _processes().items() if group == process.pid]  # nothing of it left
    assert_intact(out, before)


def test_kill_9_during_a_parallel_build_takes_the_workers_along(out: Path) -> None:
    before = snapshot(out)
    process = _start(out, "--workers", "2")
    workers = _wait_for_workers(process)
    process.kill()
    process.communicate(timeout=60)
    assert _gone(workers)
    assert snapshot(out) == before
