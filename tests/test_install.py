"""kg installed from a wheel, run from another folder: everything it reads at run time
(named queries, ontology, shapes, model, gazetteers, bundled corpus, viewer assets) must
come with the package, not from the source checkout.

The wheel is built without network (`pip wheel --no-deps --no-build-isolation`) and
installed with `--no-deps` into a fresh virtual environment that borrows the test
environment's dependencies through a `.pth` file; the editable install of the checkout is
not visible there (its finder lives in a `.pth` of the test environment that is not run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy of the sources outside the checkout, so build/ and *.egg-info stay out of it.
    source = out / "src"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "outputs", "build", "*.egg-info", "work", "__pycache__", ".pytest_cache"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                           "--wheel-dir", str(out), str(source)], capture_output=True, text=True, cwd=out)
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = out.glob("kg-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; returns its `kg` executable."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies of the test environment, after the venv's own site-packages.
    Path(purelib, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", purelib, str(wheel)], check=True, capture_output=True)
    kg = venv / "bin" / "kg"
    kg.write_text(f"#!{python}\nimport sys\nfrom kg.cli import main\nsys.exit(main())\n")
    kg.chmod(0o755)
    return kg


def test_the_wheel_carries_what_kg_reads_at_run_time(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("kg/queries/most-used-datasets.rq", "kg/ontology/kg.ttl", "kg/ontology/shapes.ttl",
                   "kg/data/seeds/", "kg/extract/model/", "kg/extract/data/gazetteer_methods.jsonl",
                   "kg/viz/template.html", "kg/eval/data/ml_sample.jsonl"):
        assert any(n.startswith(needed) for n in names), needed


def test_installed_kg_builds_queries_and_validates_from_another_folder(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = tmp_path / "elsewhere"
    where.mkdir()

    def kg(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(installed), *args], cwd=where, env=env, capture_output=True, text=True, timeout=600)

    located = subprocess.run([str(installed.with_name("python")), "-c", "import kg; print(kg.__file__)"],
                             cwd=where, env=env, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in located, "the checkout's kg was imported, not the installed one"

    built = kg("build", "--no-html", "--out", "out")
    assert built.returncode == 0, built.stderr
    assert "407 papers" in built.stdout

    listed = kg("query", "--list")
    assert "most-used-datasets" in listed.stdout, listed.stdout + listed.stderr

    ranking = kg("query", "most-used-datasets", "--out", "out")
    assert ranking.returncode == 0, ranking.stderr
    assert "ImageNet" in ranking.stdout

    validated = kg("validate", "--out", "out")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "conforms" in validated.stdout
