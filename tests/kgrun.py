"""`run(*argv)`: the kg command in this process, its exit code and what it printed.

Shared by the CLI tests (pytest puts tests/ on sys.path: `from kgrun import run`).
"""

from __future__ import annotations

import contextlib
import io

from kg.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``kg ARGV``; argparse's exits (--help, bad options)
    are returned as codes too."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()
