"""Component `kg_code_links`: code-repository and project-page URLs in the text.

URLs in abstracts carry debris: trailing punctuation ("...DSEE."), LaTeX braces
("...EQ-Net.git{https://github.com/xuke225/EQ-Net}."), doubled links. The mention covers
the URL as written, minus the debris; its key is the normalized URL (lower-case host,
https, no ".git", no trailing slash).
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit, urlunsplit

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates, ensure_extensions, load_jsonl, text_of
from kg.records import REPOSITORY, Repository

COMPONENT = "code_links"
# Braces end a URL: they are LaTeX debris, never part of a link in an abstract.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'{}\\]+"
    r"|\b(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co)/[^\s<>\"'{}\\]+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*>]"


@cache
def code_hosts() -> dict[str, bool]:
    return {row["host"]: row["code_host"] for row in load_jsonl("code_hosts.jsonl")}


def trim_url(raw: str) -> str:
    """Drop trailing punctuation a sentence glued to a URL; keep balanced parentheses.

    >>> trim_url("https://github.com/Facico/Dynamic-Logit-Fusion.)")
    'https://github.com/Facico/Dynamic-Logit-Fusion'
    """
    url = raw
    while url:
        if url[-1] in _TRAILING:
            url = url[:-1]
        elif url[-1] == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        else:
            break
    return url


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, https for code hosts, no ".git" or trailing slash.

    >>> normalize_url("HTTPS://GitHub.com/xuke225/EQ-Net.git/")
    'https://github.com/xuke225/EQ-Net'
    """
    if not re.match(r"https?://", url, re.IGNORECASE):
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www.") and host[4:] in code_hosts():
        host = host[4:]
    scheme = "https" if host in code_hosts() else parts.scheme.lower()
    path = parts.path.rstrip("/")
    if path.endswith(".git"):
        path = path[:-4]
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_code_host(host: str) -> bool:
    return code_hosts().get(host, False)


def repository_from_url(url: str) -> Repository:
    host = host_of(url)
    return Repository(url=url, host=host, is_code_host=is_code_host(host))


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalized URL) of each link; `text[start:end]` is the link as written."""
    if "/" not in text and "www." not in text.lower():
        return []  # every link has one of them: most abstracts need no regex scan
    found = []
    for match in _URL.finditer(text):
        written = trim_url(match.group())
        if "." not in written.split("://", 1)[-1]:
            continue
        found.append((match.start(), match.start() + len(written), normalize_url(written)))
    return found


class CodeLinkFinder:
    def __call__(self, doc: Doc) -> Doc:
        out = candidates(doc)
        for start, end, url in find_urls(text_of(doc)):
            confidence = 0.99 if is_code_host(host_of(url)) else 0.9
            out.append(Candidate(start, end, REPOSITORY, url, confidence, COMPONENT))
        return doc


@Language.factory("kg_code_links")
def make_code_link_finder(nlp: Language, name: str) -> CodeLinkFinder:
    ensure_extensions()
    return CodeLinkFinder()
