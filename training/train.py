"""`make train`: rebuild kg's span model from SciERC and the teacher's labels, reproducibly, on the CPU.

    python training/train.py [--seed 0] [--pretrain-epochs 0] [--install kg/extract/model]

1. ``make_docbins.py``: SciERC train/dev as DocBins of the text ``kg eval`` feeds in; the
   training folder also holds the bundled corpus as the teacher labelled it
   (``training/data/bundled_teacher.jsonl``, committed; ``make teacher`` remakes it);
   plus unlabeled text (SciERC train and the bundled corpus) for pretraining.
   ``vectors.py``: static word vectors distilled from all-MiniLM-L6-v2 (once; kept in
   ``--work``), which the model reads beside its hash embeddings.
2. ``spacy pretrain`` (``--pretrain-epochs`` > 0): the tok2vec learns to predict words'
   first and last characters from their context on the unlabeled text.
3. ``spacy train training/ner.cfg``: tok2vec + spancat_singlelabel, dev for early stopping.
4. The best model is copied to ``--install`` (the package's kg/extract/model).

Every step is seeded; one thread, so runs repeat exactly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run(*args: str) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    print("+", " ".join(args), flush=True)
    subprocess.run([sys.executable, *args], check=True, cwd=ROOT, env=env)


def latest_weights(folder: Path) -> Path:
    """The last epoch's tok2vec weights written by ``spacy pretrain``."""
    return max(folder.glob("model*.bin"), key=lambda p: int(p.stem[5:] or -1) if p.stem[5:].isdigit() else -1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pretrain-epochs", type=int, default=0, help="pretrain the tok2vec first (0: no; it did not help on SciERC dev)")
    parser.add_argument("--data", type=Path, default=Path("data/scierc"))
    parser.add_argument("--work", type=Path, default=Path("training/work"), help="corpus, pretraining and training output")
    parser.add_argument("--install", type=Path, default=Path("kg/extract/model"), help="where the best model goes ('' to skip)")
    args = parser.parse_args(argv)
    corpus, output = args.work / "corpus", args.work / "output"
    run(str(HERE / "make_docbins.py"), "--data", str(args.data), "--out", str(corpus))
    vectors = args.work / "vectors"
    if not (ROOT / vectors / "config.cfg").is_file():
        run(str(HERE / "vectors.py"), "--out", str(vectors))
    overrides = ["--system.seed", str(args.seed), "--paths.vectors", str(vectors)]
    if args.pretrain_epochs > 0:
        pretrained = args.work / "pretrain"
        shutil.rmtree(ROOT / pretrained, ignore_errors=True)
        run("-m", "spacy", "pretrain", "training/ner.cfg", str(pretrained), "--code", "training/functions.py",
            "--paths.raw_text", str(corpus / "pretrain.jsonl"), "--pretraining.max_epochs", str(args.pretrain_epochs),
            *overrides)
        overrides += ["--paths.init_tok2vec", str(latest_weights(ROOT / pretrained))]
    run("-m", "spacy", "train", "training/ner.cfg", "--code", "training/functions.py", "--output", str(output),
        "--paths.train", str(corpus / "train"), "--paths.dev", str(corpus / "dev.spacy"), *overrides)
    if str(args.install):
        target = ROOT / args.install
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / output / "model-best", target)
        print(f"installed {output / 'model-best'} -> {args.install}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
