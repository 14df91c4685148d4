"""`kg build` in a real terminal (a pseudo-terminal), as `make run` runs it.

The other CLI tests capture output through pipes, where kg shows no progress bar; a
crash that happens only with the bar (issue 12: `bool()` of a tqdm bar without a total)
went unseen. These tests give kg a terminal on stdin, stdout and stderr.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

KG = Path(sys.executable).parent / "kg"

pytestmark = pytest.mark.skipif(not hasattr(pty, "openpty"), reason="needs pseudo-terminals")


def run_in_terminal(*argv: str, timeout: float = 300) -> tuple[int, str]:
    """Run `kg argv` with a pseudo-terminal as its stdin, stdout and stderr; returns the
    exit code and everything the terminal received (bar redraws included)."""
    controller, terminal = pty.openpty()
    # A terminal of 100 x 30, as a user's: a fresh pseudo-terminal has 0 columns, where
    # tqdm would draw an empty bar.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "COLUMNS": "100", "LINES": "30", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([str(KG), *argv], stdin=terminal, stdout=terminal, stderr=terminal,
                               env=env, close_fds=True, start_new_session=True)
    os.close(terminal)
    received = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # EIO: every end of the terminal is closed, the child is done
                    break
                if not chunk:
                    break
                received += chunk
            elif process.poll() is not None:
                break
        else:
            process.kill()
            raise AssertionError(f"kg {' '.join(argv)} did not finish in {timeout} s")
        code = process.wait(timeout=30)
    finally:
        os.close(controller)
    return code, received.decode("utf-8", "replace")


def test_build_in_a_terminal_shows_progress_and_writes_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, screen = run_in_terminal("build", "--fast", "--out", str(out))  # the bundled corpus
    assert code == 0, screen
    assert "Traceback" not in screen
    assert "extracting:" in screen and " papers" in screen  # the tqdm bar was drawn
    assert "\r" in screen.replace("\r\n", "")  # ...and redrawn in place
    lines = [line.strip("\r") for line in screen.split("\n")]
    summary = [line for line in lines if line.startswith("407 papers from 445 records in 5 files")]
    assert summary, screen
    for name in ("graph.ttl", "graph.nt", "graph.html"):
        assert (out / name).stat().st_size > 0
        assert f"wrote {out / name}" in screen
    assert (out / "store" / "CURRENT").exists()


def test_errors_in_a_terminal_are_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "typo.jsonl"
    code, screen = run_in_terminal("build", str(missing), "--out", str(tmp_path / "out"))
    assert code == 3
    assert screen.strip() == f"kg: error: {missing}: no such file"
    assert not (tmp_path / "out").exists()
