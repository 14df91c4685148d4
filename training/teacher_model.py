"""The teacher's network, in PyTorch: a sentence encoder fine-tuned as a span classifier.

Imported only by ``training/teacher.py fit`` and ``label`` (``make teacher``), never by kg
itself, so kg and its tests need no torch.

The encoder is one of two sentence-transformers checkpoints (both Apache-2.0):
all-mpnet-base-v2, MPNet (Song et al., 2020) read with ``transformers``, or the smaller
all-MiniLM-L6-v2, BERT (Devlin et al., 2019) as distilled into MiniLM (Wang et al., 2020),
run by :class:`Bert` below. A span is classified from its first and last words' states,
their mean and a width embedding, as in PURE's entity model (Zhong and Chen, 2021, "A
Frustratingly Easy Approach for Entity and Relation Extraction"); a word's state is the
mean of its word pieces'.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy
import torch
import torch.nn.functional as F
from torch import nn

WIDTHS = 12  # span widths embedded; longer spans share the last row


class Bert(nn.Module):
    """A BERT encoder whose parameters are named as in the Hugging Face checkpoint."""

    def __init__(self, weights: dict[str, torch.Tensor], heads: int):
        super().__init__()
        vocab, width = weights["embeddings.word_embeddings.weight"].shape
        layers = 1 + max(int(name.split(".")[2]) for name in weights if name.startswith("encoder.layer."))
        self.heads = heads
        self.embeddings = nn.ModuleDict({
            "word_embeddings": nn.Embedding(vocab, width),
            "position_embeddings": nn.Embedding(weights["embeddings.position_embeddings.weight"].shape[0], width),
            "token_type_embeddings": nn.Embedding(2, width),
            "LayerNorm": nn.LayerNorm(width, eps=1e-12),
        })
        self.encoder = nn.ModuleDict({"layer": nn.ModuleList(_layer(width) for _ in range(layers))})
        self.load_state_dict({k: v for k, v in weights.items() if k.startswith(("embeddings.", "encoder.")) and k != "embeddings.position_ids"})

    @property
    def width(self) -> int:
        return self.embeddings["word_embeddings"].weight.shape[1]

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Last hidden states of one unpadded sequence of word-piece ids, (length, width)."""
        e = self.embeddings
        length = ids.shape[0]
        x = e["word_embeddings"](ids) + e["position_embeddings"].weight[:length] + e["token_type_embeddings"].weight[0]
        x = e["LayerNorm"](x)
        width = x.shape[-1]
        size = width // self.heads
        for layer in self.encoder["layer"]:
            att = layer["attention"]
            q, k, v = (att["self"][n](x).view(length, self.heads, size).transpose(0, 1) for n in ("query", "key", "value"))
            weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(size), -1)
            context = (weights @ v).transpose(0, 1).reshape(length, width)
            x = att["output"]["LayerNorm"](x + att["output"]["dense"](context))
            hidden = F.gelu(layer["intermediate"]["dense"](x))
            x = layer["output"]["LayerNorm"](x + layer["output"]["dense"](hidden))
        return x


def _layer(width: int) -> nn.ModuleDict:
    return nn.ModuleDict({
        "attention": nn.ModuleDict({
            "self": nn.ModuleDict({n: nn.Linear(width, width) for n in ("query", "key", "value")}),
            "output": nn.ModuleDict({"dense": nn.Linear(width, width), "LayerNorm": nn.LayerNorm(width, eps=1e-12)}),
        }),
        "intermediate": nn.ModuleDict({"dense": nn.Linear(width, 4 * width)}),
        "output": nn.ModuleDict({"dense": nn.Linear(4 * width, width), "LayerNorm": nn.LayerNorm(width, eps=1e-12)}),
    })


class Transformer(nn.Module):
    """Any encoder ``transformers`` reads (MPNet's relative position buckets are not in :class:`Bert`)."""

    def __init__(self, folder: Path):
        super().__init__()
        from transformers import AutoModel

        self.model = AutoModel.from_pretrained(str(folder))
        self.width = self.model.config.hidden_size

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Last hidden states of one unpadded sequence of word-piece ids, (length, width)."""
        return self.model(input_ids=ids[None]).last_hidden_state[0]


def encoder(folder: Path) -> nn.Module:
    """The encoder in ``folder`` (a Hugging Face checkpoint), pretrained weights loaded."""
    config = json.loads((folder / "config.json").read_text())
    if config["model_type"] == "bert":
        from safetensors.torch import load_file

        return Bert(load_file(str(folder / "model.safetensors")), config["num_attention_heads"])
    return Transformer(folder)


class SpanTeacher(nn.Module):
    """Probabilities of each label (and, last, of no concept) for suggested token spans."""

    def __init__(self, encoder_dir: Path, n_labels: int):
        super().__init__()
        self.bert = encoder(encoder_dir)  # "bert" whatever the encoder: the checkpoints' parameter names
        width = self.bert.width
        self.width = nn.Embedding(WIDTHS, 32)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Sequential(nn.Linear(3 * width + 32, width), nn.GELU(), nn.Dropout(0.2), nn.Linear(width, n_labels + 1))

    def words(self, chunks: list[tuple[list[int], numpy.ndarray]]) -> torch.Tensor:
        """One state per word: the mean of its word pieces' states, chunk by chunk."""
        out = []
        for ids, word_of in chunks:
            states = self.bert(torch.tensor(ids))[1:-1]  # without [CLS] and [SEP]
            index = torch.as_tensor(word_of, dtype=torch.long)
            n = int(index.max()) + 1
            total = torch.zeros(n, states.shape[1]).index_add_(0, index, states)
            count = torch.zeros(n).index_add_(0, index, torch.ones(len(index)))
            out.append(total / count.clamp(min=1)[:, None])
        return torch.cat(out)

    def forward(self, chunks: list[tuple[list[int], numpy.ndarray]], spans: numpy.ndarray) -> torch.Tensor:
        """Logits, (spans, labels + 1), for (start, end) token spans."""
        h = self.dropout(self.words(chunks))
        sp = torch.as_tensor(spans, dtype=torch.long)
        if not len(sp):
            return torch.zeros(0, self.head[-1].out_features)
        cumulative = torch.cat([torch.zeros(1, h.shape[1]), h.cumsum(0)])
        lengths = sp[:, 1] - sp[:, 0]
        mean = (cumulative[sp[:, 1]] - cumulative[sp[:, 0]]) / lengths[:, None]
        features = [h[sp[:, 0]], h[sp[:, 1] - 1], mean, self.width(lengths.clamp(max=WIDTHS - 1))]
        return self.head(torch.cat(features, -1))
