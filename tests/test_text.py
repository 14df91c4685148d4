"""kg.text.clean_text: HTML and LaTeX debris out, words in, untrusted text stays text."""

from __future__ import annotations

import pytest

from kg.text import clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a <b>bold</b> word", "a bold word"),
        ("<i>Deep</i> <span class=\"x\">Nets</span>", "Deep Nets"),
        ("line<br>break<p>para</p>end", "line break para end"),
        ("<div>one</div><div>two</div>", "one two"),
        ("Tom &amp; Jerry &lt;3 &quot;q&quot; &#39;s&#x27;", "Tom & Jerry <3 \"q\" 's'"),
        ("caf&eacute; na&iuml;ve", "café naïve"),
        ("a < b and c > d", "a < b and c > d"),
    ],
)
def test_html_tags_and_entities(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("we reach 99\\% top-1", "we reach 99% top-1"),
        ("R\\&D with 5\\$ and \\#1 and a\\_b", "R&D with 5$ and #1 and a_b"),
        ("on {\\em ImageNet} and {\\bf CIFAR-10}", "on ImageNet and CIFAR-10"),
        ("\\textcolor[rgb]{1,0,0}{red} text", "red text"),
        ("\\textcolor{blue}{Blue} text", "Blue text"),
        ("see \\href{https://x.org}{the site}", "see the site"),
        ("\\textbf{Bold} \\emph{it} \\texttt{code}", "Bold it code"),
        ("as shown~\\cite{he2016deep} before", "as shown before"),
        ("Fr\\'echet Inception Distance", "Fréchet Inception Distance"),
        ("G\\\"{o}del and na\\\"ive", "Gödel and naïve"),
        ("\\'{e}t\\'e, \\^{o}, \\~n, Pr\\`a", "été, ô, ñ, Prà"),
        # a tie (non-breaking space) before a bracket is a space; ranges and URLs keep "~"
        ("Large Language Models~(LLMs) with 1M~60M, see https://x.org/~vgg", "Large Language Models (LLMs) with 1M~60M, see https://x.org/~vgg"),
        ("GPT-4~(OpenAI) and Ma\\~n~[3]", "GPT-4 (OpenAI) and Mañ [3]"),
    ],
)
def test_latex(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_docstring_example() -> None:
    assert clean_text("We  reach 99\\% on {\\em ImageNet}&amp;more <b>now</b>.") == "We reach 99% on ImageNet&more now."


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  a\t b\n\nc\u00a0d \r\n", "a b c d"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("ctl\x00\x07chars", "ctlchars"),
        ("", ""),
        (" \n\t ", ""),
    ],
)
def test_whitespace_and_control_characters(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_nfc_normalization() -> None:
    assert clean_text("Fre\u0301chet") == "Fr\u00e9chet"


def test_escaped_markup_cannot_come_back_as_a_tag() -> None:
    # Was: entities decoded after tags were stripped, so "&lt;script&gt;" came back as "<script>".
    # Now tags are stripped and entities decoded until neither changes anything.
    assert clean_text("&lt;script&gt;alert(1)&lt;/script&gt;") == "alert(1)"
    assert clean_text("&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;") == "bold"
    assert clean_text("&lt;scr<b>ipt&gt;x") == "x"  # a tag inside the escaped one
    assert clean_text("\\textbf{<}script>x") == "x"  # LaTeX unwrapping cannot build one either
    assert clean_text("&lt;img src=x onerror=alert(1)&gt;") == ""
    assert clean_text("a &lt; b and c &gt; d, &lt;3") == "a < b and c > d, <3"  # not tags: kept


@pytest.mark.parametrize(
    "raw",
    ["<!-- hidden --> x", "<details open ontoggle=alert(1)>x</details>", "<svg/onload=alert(1)>x", "<a href='javascript:1'>x</a>",
     "<IFRAME SRC=x>x</IFRAME>", "<body onload=alert(1)>x", "&#60;script&#62;x&#60;/script&#62;", "&#x3C;style&#x3E;x"],
)
def test_no_tag_survives(raw: str) -> None:
    assert clean_text(raw) == "x"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a<b and c>d", "a<b and c>d"),  # maths with one-letter names is not a tag
        ("the <image> and <unk> tokens", "the <image> and <unk> tokens"),  # NLP placeholders
        ("pairs <text, image>", "pairs <text, image>"),
    ],
)
def test_angle_brackets_that_are_not_tags_stay(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("safe\u202egnp.exe", "safegnp.exe"),  # RIGHT-TO-LEFT OVERRIDE
        ("a\u202ab\u202bc\u202cd\u202de", "abcde"),  # embeddings, pop
        ("x\u2066y\u2067z\u2068w\u2069", "xyzw"),  # isolates
        ("in\u00advisible soft\u00adhyphen", "invisible softhyphen"),
        ("word\u2060joiner\u200dzwj\u200czwnj\u200e\u200f", "wordjoinerzwjzwnj"),
        ("tag\U000e0041\U000e0042chars", "tagchars"),  # invisible "ASCII smuggling"
        ("C1\x85next\x9bcontrols", "C1 nextcontrols"),  # NEL is a line break
        ("lone \ud800surrogate", "lone surrogate"),
        ("&#x202E;decoded", "decoded"),  # an entity cannot spell one either
    ],
)
def test_bidi_and_invisible_format_characters(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_every_removed_format_character_is_invisible() -> None:
    # The removal list is hand-written (fast); check it against the Unicode database: it
    # removes only format (Cf) or control (Cc) characters, and every Cf it keeps is visible.
    import sys
    import unicodedata

    from kg.text import _CONTROL

    kept_visible = {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD,
                    *range(0x13430, 0x13440)}
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    removed = {ord(c) for c in _CONTROL.findall(every)}
    assert all(unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs") for code in removed)
    format_chars = {code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"}
    assert format_chars - removed <= kept_visible
    assert clean_text("a\u202eb\u2067c") == "abc"
