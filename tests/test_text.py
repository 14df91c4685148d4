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


def test_escaped_markup_stays_text() -> None:
    # Entities are decoded after tags are stripped: the decoded markup is text, kept verbatim
    # (it only ever reaches RDF as an escaped literal).
    assert clean_text("&lt;script&gt;alert(1)&lt;/script&gt;") == "<script>alert(1)</script>"
    assert clean_text("&amp;lt;b&amp;gt;") == "&lt;b&gt;"


def test_real_tags_are_removed_but_their_words_kept() -> None:
    assert clean_text("x<script>alert('x')</script>y") == "xalert('x')y"
    assert clean_text("a<img src=x onerror=alert(1)>b") == "ab"


def test_idempotent() -> None:
    once = clean_text("We  reach 99\\% on {\\em ImageNet} <b>now</b> &amp; Fr\\'echet.")
    assert clean_text(once) == once


def test_cedilla() -> None:
    assert clean_text("Fran\\c{c}ois") == "François"


def test_nested_latex_commands() -> None:
    assert clean_text("\\textit{\\textbf{x}} and {\\em \\textbf{y}}") == "x and y"


def test_inequalities_are_not_tags() -> None:
    assert clean_text("for n<k and k>m it holds") == "for n<k and k>m it holds"
