"""Cleaning of untrusted title and abstract text: HTML and LaTeX debris, odd whitespace.

Cleaning happens once, at ingest; every offset kg reports points into the cleaned text
(the text it also exports), so evidence always matches what a reader sees.

>>> clean_text("We  reach 99\\\\% on {\\\\em ImageNet}&amp;more <b>now</b>.")
'We reach 99% on ImageNet&more now.'
"""

from __future__ import annotations

import html
import re
import unicodedata

_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|tr|td|th|h[1-6]|blockquote|section)\b[^<>]*>", re.IGNORECASE)
# Only real HTML tag names: "n<k and k>m" in maths is text, not a tag.
_TAG = re.compile(
    r"</?(?:a|abbr|b|big|code|em|font|i|img|mark|math|mi|mn|mo|mrow|msub|msup|script|small|span|strong|style"
    r"|sub|sup|svg|tt|u|iframe|object|embed|link|meta|input|button|form|video|audio|source)\b[^<>]*>",
    re.IGNORECASE,
)
# \textcolor[rgb]{1,0,0}{text} and \href{url}{text} keep their last argument.
_TWO_ARG = re.compile(r"\\(?:textcolor|colorbox|href)(?:\[[^\]]*\])?\{[^{}]*\}\{([^{}]*)\}")
_ONE_ARG = re.compile(
    r"\\(?:textbf|textit|texttt|textsc|textrm|emph|underline|mathrm|mathbf|mbox|url|text)\{([^{}]*)\}"
)
_SWITCH = re.compile(r"\{\\(?:em|bf|it|tt|sc|rm|sl)\s+([^{}]*)\}")
_CITE = re.compile(r"~?\\(?:cite[pt]?|ref|eqref|footnote|label)\{[^{}]*\}")
_ESCAPED = re.compile(r"\\([%&_#$])")
_TIE = re.compile(r"(?<=[^\W_])~(?=[(\[])")  # LaTeX's non-breaking space: "Models~(LLMs)", "GPT-4~[3]"
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "c": "\u0327"}
_ACCENT = re.compile(r"\\(['`^\"~]|c(?=\{)|c\s)\{?([A-Za-z])\}?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\ufeff]")
_SPACE = re.compile(r"\s+")


def _accent(match: re.Match) -> str:
    mark = _ACCENTS[match.group(1).strip()]
    return unicodedata.normalize("NFC", match.group(2) + mark)


def clean_text(text: str) -> str:
    """Strip HTML tags and entities, LaTeX formatting commands, escapes and ties, control
    characters and runs of white space; the words themselves are kept."""
    text = unicodedata.normalize("NFC", text)
    text = _BLOCK_TAG.sub(" ", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _CONTROL.sub("", text)
    text = _CITE.sub("", text)
    for _ in range(4):  # nested commands: \textit{\textbf{x}} unwraps from the inside out
        before = text
        for pattern in (_TWO_ARG, _ONE_ARG, _SWITCH):
            text = pattern.sub(r"\1", text)
        if text == before:
            break
    text = _ACCENT.sub(_accent, text)
    text = _ESCAPED.sub(r"\1", text)
    text = _TIE.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


# An absolute http(s) URL with none of the characters an IRI may not hold (RFC 3987).
_WEB_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.IGNORECASE)


def is_web_url(text: str) -> bool:
    """Whether untrusted `text` is an http(s) URL fit to be a link and an IRI.

    >>> [is_web_url(u) for u in ["https://arxiv.org/abs/2301.00001", "javascript:alert(1)", "https://a.b/<x>", "ftp://a.b"]]
    [True, False, False, False]
    """
    return bool(_WEB_URL.fullmatch(text))
