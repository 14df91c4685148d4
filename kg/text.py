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

_BLOCK_TAG = re.compile(
    r"</?(?:p|br|hr|div|li|ul|ol|dl|dt|dd|tr|td|th|table|h[1-6]|blockquote|section|article|header|footer|pre)\b[^<>]*>",
    re.IGNORECASE,
)
# Real HTML (and inline SVG/MathML) element names only: "n<k and k>m" in maths is text, not a
# tag, and neither are the placeholders of NLP papers ("<image>", "<text>", "<unk>"). The
# one-letter names ("a<b and c>d") count as tags only bare or with an attribute that has a
# value ("<b>", "<a href=x>"), never with bare words after them. Comments and doctypes go too.
_TAG = re.compile(
    r"<!--.*?-->|<!\[CDATA\[|\]\]>|<![a-z][^<>]*>"
    r"|</?(?:abbr|address|area|article|aside|audio|base|bdi|bdo|big|blink|body|button|canvas|caption|center|cite"
    r"|code|col|colgroup|datalist|del|details|dfn|dialog|em|embed|fieldset|figcaption|figure|font|form|frame"
    r"|frameset|head|html|iframe|img|input|ins|kbd|legend|link|mark|marquee|math|meta|meter"
    r"|mi|mn|mo|mrow|msub|msup|msubsup|mfrac|msqrt|mtext|nav|noscript|object|optgroup|param"
    r"|picture|progress|rp|rt|ruby|samp|script|select|small|source|span|strike|strong|style|sub"
    r"|sup|svg|template|textarea|tfoot|thead|track|tt|video|wbr|xmp|foreignobject)\b(?:[\s/][^<>]*)?>"
    r"|</?[abiqsu]\s*/?>|<[abiqsu]\s+[^<>\s=]+\s*=[^<>]*>",
    re.IGNORECASE | re.DOTALL,
)
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
# C0 and C1 controls, lone surrogates, and the invisible format characters (Unicode category
# Cf) that carry no meaning in titles and abstracts but can reorder or hide text: bidi embeddings,
# overrides and isolates (U+202A-202E, U+2066-2069, "Trojan Source"), zero-width spaces and
# joiners, the word joiner, soft hyphens, the byte-order mark, interlinear annotations and the
# tag characters (U+E0000 block, used to smuggle invisible text). The visible format characters
# (Arabic number signs U+0600-0605, hieroglyph format controls ...) are kept.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACE = re.compile(r"\s+")
_MARKUP_CHARS = re.compile(r"[<>&\\{}~]")


def _accent(match: re.Match) -> str:
    mark = _ACCENTS[match.group(1).strip()]
    return unicodedata.normalize("NFC", match.group(2) + mark)


def strip_markup(text: str) -> str:
    """Remove HTML tags and decode entities until neither changes the text, so an escaped tag
    (``&lt;script&gt;``, ``&amp;lt;b&amp;gt;``) cannot come back as a tag once decoded.

    >>> strip_markup("&lt;script&gt;alert(1)&lt;/script&gt; a &lt; b")
    'alert(1) a < b'
    """
    for _ in range(8):  # each round removes one level of escaping; real text needs one or two
        before = text
        text = _TAG.sub("", _BLOCK_TAG.sub(" ", text))
        text = html.unescape(text)
        if text == before:
            return text
    # Absurdly deep escaping: whatever is left is decoded no further, but holds no tag.
    while True:
        stripped = _TAG.sub("", _BLOCK_TAG.sub(" ", text))
        if stripped == text:
            return text
        text = stripped


def has_surrogates(text: str) -> bool:
    """Whether `text` holds a lone surrogate (JSON's "\\ud800"): not encodable as UTF-8."""
    return bool(_SURROGATE.search(text))


def clean_text(text: str) -> str:
    """Strip HTML tags and entities, LaTeX formatting commands, escapes and ties, control,
    bidi and invisible format characters and runs of white space; the words are kept.

    One pass can build what an earlier step removes (``\\textbf{<}script>`` unwraps to a tag,
    ``&#92;emph{x}`` decodes to a command), so passes repeat until the text is stable: the
    result is a fixed point, and cleaning it again changes nothing.
    """
    for _ in range(4):
        cleaned = _clean_once(text)
        if cleaned == text or not _MARKUP_CHARS.search(cleaned):  # nothing another pass could change
            return cleaned
        text = cleaned
    return text


def _clean_once(text: str) -> str:
    text = _CONTROL.sub("", text)  # first: NFC cannot take lone surrogates
    text = unicodedata.normalize("NFC", text)
    text = strip_markup(text)
    text = _CONTROL.sub("", text)  # entities can spell control and bidi characters too
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
