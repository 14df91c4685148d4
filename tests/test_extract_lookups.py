"""The extraction's position look-ups (span indexes, occupied spans, plain scans) against
the pairwise tests and regular expressions they stand for, on random inputs."""

from __future__ import annotations

import random
import re

import numpy

from kg.extract.candidates import Candidate, Occupied
from kg.extract.ner import decode, decode_batch, phrase_spans
from kg.extract.overlap import SpanIndex, _overlap
from kg.extract.resolve import bare_uses


def test_span_index_finds_what_a_pairwise_test_finds() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        cands = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randint(0, 40)
            cands.append(Candidate(start, start + rng.randint(1, 15), "Method", "k", 0.9, "x"))
        index = SpanIndex(cands)
        for _ in range(5):
            start = rng.randint(-5, 50)
            model = Candidate(start, start + rng.randint(0, 20), "Method", "m", 0.5, "model")
            expected = tuple(i for i, c in enumerate(cands) if _overlap(model, c))
            assert index.overlapping(model.start, model.end) == expected


def test_occupied_takes_what_a_pairwise_test_takes() -> None:
    rng = random.Random(2)
    for trial in range(3000):
        taken = [(s, s + rng.randint(-1 if trial % 7 == 0 else 1, 6)) for s in rng.sample(range(40), rng.randint(0, 3))]
        occupied = Occupied(taken)  # these taken whether they overlap or not
        for _ in range(rng.randint(0, 20)):
            start = rng.randint(0, 40)
            end = start + rng.randint(-1 if trial % 5 == 0 else 1, 8)  # some empty or reversed spans
            free = all(end <= s or start >= e for s, e in taken)
            if free:
                taken.append((start, end))
            assert occupied.take(start, end) == free


def test_bare_uses_are_the_regex_matches() -> None:
    rng = random.Random(3)
    pieces = ["GNN", "GNNs", "s", "-", "_", " ", "é", "2", "(", "x", "ş", ".", "N"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        short = rng.choice(["GNN", "N", "NN", "GNNs", "s", "G.N"])
        expected = [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(short)}s?(?![\w-])", text)]
        assert bare_uses(text, short) == expected


def _phrase_spans_by_length(first_ok, last_ok, breaks, max_length):
    """The suggester's spans, one length at a time, then sorted."""
    n, cum = len(first_ok), numpy.concatenate([[0], numpy.cumsum(breaks)])
    found = [(s, s + length) for length in range(1, min(max_length, n) + 1) for s in range(n - length + 1)
             if first_ok[s] and last_ok[s + length - 1] and cum[s + length] == cum[s + 1]]
    return sorted(found)


def test_phrase_spans_are_every_allowed_span_in_order() -> None:
    rng = numpy.random.default_rng(4)
    for _ in range(500):
        n, max_length = int(rng.integers(0, 30)), int(rng.integers(1, 10))
        first, last, breaks = rng.random(n) < 0.6, rng.random(n) < 0.6, rng.random(n) < 0.2
        assert [tuple(s) for s in phrase_spans(first, last, breaks, max_length).tolist()] == \
            _phrase_spans_by_length(first, last, breaks, max_length)


def test_decode_takes_spans_most_probable_first() -> None:
    rng = numpy.random.default_rng(5)
    labels = ["A", "B", "C"]
    for _ in range(500):
        m = int(rng.integers(1, 25))
        starts = rng.integers(0, 20, m)
        indices = numpy.stack([starts, starts + rng.integers(1, 5, m)], axis=1)
        scores = numpy.round(rng.random((m, 4)), 1).astype("float32")  # ties, and some at the threshold
        best = scores[:, :3].argmax(axis=1)
        prob = scores[numpy.arange(m), best]
        taken, occupied = [], set()
        for i in sorted(range(m), key=lambda i: -prob[i]):  # stable: ties in index order
            span = set(range(indices[i, 0], indices[i, 1]))
            if prob[i] >= 0.4 and not span & occupied:
                occupied |= span
                taken.append((int(indices[i, 0]), int(indices[i, 1]), labels[best[i]], round(float(prob[i]), 3)))
        assert decode(indices, scores, labels, 0.4) == sorted(taken)


def test_decode_batch_is_decode_doc_by_doc() -> None:
    rng = numpy.random.default_rng(6)
    labels = ["A", "B", "C"]
    for _ in range(300):
        lengths = [int(n) for n in rng.integers(0, 12, int(rng.integers(1, 5)))]
        starts = rng.integers(0, 15, sum(lengths))
        indices = numpy.stack([starts, starts + rng.integers(1, 5, len(starts))], axis=1)
        scores = numpy.round(rng.random((len(starts), 4)), 1).astype("float32")
        bounds = numpy.cumsum([0, *lengths])
        expected = [decode(indices[a:b], scores[a:b], labels, 0.4) for a, b in zip(bounds, bounds[1:])]
        assert decode_batch(indices, scores, lengths, labels, 0.4) == expected


def test_occurrences_are_the_regex_matches() -> None:
    from kg.extract.ner import _occurrences

    rng = random.Random(7)
    pieces = ["SMT", "SMTs", "-", "_", "/", " ", "é", "2", ".", "x"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        expected = [m.start() for m in re.finditer(r"(?<![\w/-])SMT(?![\w-])", text)]
        assert list(_occurrences(text, "SMT")) == expected


def test_suggesting_for_a_batch_is_suggesting_for_each_doc() -> None:
    import spacy

    from kg.extract.suggester import build_phrase_suggester, phrase_spans, token_flags

    nlp = spacy.blank("en")
    texts = ["We apply statistical machine translation to the Europarl corpus.", "", "on-line learning (OLL)",
             "- leading hyphen", "ends with a hyphen -", "the state-of-the-art BLEU score is high."]
    docs = [nlp(t) for t in texts]
    batch = build_phrase_suggester(max_length=4)(docs)
    per_doc = [phrase_spans(*token_flags(doc), 4) if len(doc) else numpy.zeros((0, 2), dtype="int64") for doc in docs]
    assert batch.lengths.tolist() == [len(s) for s in per_doc]
    assert batch.dataXd.tolist() == numpy.concatenate(per_doc).tolist()
    # one doc's flags do not depend on its neighbours (a hyphen ending one doc, starting the next)
    from kg.extract.suggester import token_flags_of

    pairs = [nlp("the"), nlp("- x"), nlp("x -"), nlp("of y")]  # "the" | "-", "-" | "of" at the seams
    joined = token_flags_of(pairs)
    for flags, alone in zip(joined, zip(*(token_flags(doc) for doc in pairs))):
        assert flags.tolist() == numpy.concatenate(alone).tolist()
