"""Chinese word segmentation with jieba (its dictionary ships inside the package: no
download). Texts are stored as their search-engine segmentation joined by spaces, so the
databases' own word-based indexes (PostgreSQL tsvector 'simple', SQLite FTS5) work on
Chinese."""

import logging
import re
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"\w", re.UNICODE)


@lru_cache(maxsize=1)
def _tokenizer():
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _words(tokens):
    return [token.strip().lower() for token in tokens if _WORD.search(token)]


def segment_text(text):
    """A text's words and their sub-words (数字政府 → 数字 政府 数字政府), space-separated."""
    return " ".join(_words(_tokenizer().cut_for_search(text or "")))


def query_terms(query):
    """The words of a query, in order, without repeats: 数字政府建设 → [数字政府, 建设]."""
    seen = []
    for word in _words(_tokenizer().cut(query or "")):
        if word not in seen:
            seen.append(word)
    return seen[:12]
