"""The data model shared by ingest and the index: an article and its paragraphs."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .dates import as_published

__all__ = ["Article", "clean_field", "make_article_id"]

# Lone surrogates cannot be encoded (the index stores UTF-8), and control
# characters (C0 and C1: ESC, U+009B CSI, U+009D OSC…), bidi embeddings, overrides
# and isolates (U+202A–E, U+2066–9) and line separators would reach terminals or
# reorder text: articles made in code skip the readers' clean-up, so the model
# itself cleans every field, the id included. Surrogates become U+FFFD, line and
# paragraph separators (and, in one-line fields, tabs and line breaks) a space;
# the rest is removed.
_UNSAFE = re.compile(
    "[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_UNSAFE_LINE = re.compile(
    "[\ud800-\udfff\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_SPACES = frozenset("\t\n\r\x85\u2028\u2029")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _replacement(match: re.Match[str]) -> str:
    ch = match.group()
    if ch >= "\ud800":
        return "\ufffd"
    return " " if ch in _SPACES else ""


def _safe(text: str) -> str:
    return _UNSAFE.sub(_replacement, text)


def clean_field(text: str) -> str:
    """A one-line field (id, title, source, author, URL) without characters that are
    unsafe to store or print: lone surrogates → U+FFFD, line breaks, tabs and line
    separators → space, other control characters and bidi controls removed.

    >>> clean_field("Krieg\\u202e im\\x1b[2J Netz\\ud800")
    'Krieg im[2J Netz\\ufffd'
    """
    return _UNSAFE_LINE.sub(_replacement, text) if _UNSAFE_LINE.search(text) else text


def _safe_or_none(text: str | None) -> str | None:
    return clean_field(text) if text and _UNSAFE_LINE.search(text) else text


def make_article_id(
    *,
    url: str | None = None,
    source: str | None = None,
    title: str | None = None,
    published: date | datetime | None = None,
    paragraphs: tuple[str, ...] | list[str] = (),
) -> str:
    """Derive a stable article id.

    The same article read twice must get the same id, so the id is a hash of the
    URL when there is one, else of source + title + date, else of the text itself.
    """
    if url:
        basis = "url\x00" + url.strip()
    elif title and (source or published):
        basis = "meta\x00" + "\x00".join(
            [(source or "").strip().lower(), title.strip(), published.isoformat() if published else ""]
        )
    else:
        basis = "text\x00" + "\n\n".join(paragraphs)
    # A lone surrogate would raise here and drop the caller's whole batch.
    basis = _SURROGATE.sub("\ufffd", basis)
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    """One news article: metadata plus the ordered paragraphs the index ranks.

    Instances are immutable and JSON-serialisable via :meth:`to_dict` /
    :meth:`from_dict`. ``origin_path`` and ``origin_line`` say where it was read
    from (1-based line; ``None`` when not from a file).

    Every text field, the id included, is cleaned on construction: lone
    surrogates become U+FFFD, control characters and bidi overrides are removed,
    line separators become spaces (see :func:`clean_field`).
    """

    id: str
    title: str
    paragraphs: tuple[str, ...]
    source: str | None = None
    published: date | datetime | None = None
    author: str | None = None
    url: str | None = None
    origin_path: str | None = None
    origin_line: int | None = None
    photo_credits: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.published is not None and type(self.published) not in (date, datetime):
            # A string (or a date subclass) would fail only later, in to_dict or the index.
            object.__setattr__(self, "published", as_published(self.published))
        # Accept any sequence but store a tuple so the article stays immutable.
        if not isinstance(self.paragraphs, tuple):
            object.__setattr__(self, "paragraphs", tuple(self.paragraphs))
        if not isinstance(self.photo_credits, tuple):
            object.__setattr__(self, "photo_credits", tuple(self.photo_credits))
        if any(_UNSAFE.search(p) for p in self.paragraphs):
            object.__setattr__(self, "paragraphs", tuple(_safe(p) for p in self.paragraphs))
        if any(_UNSAFE_LINE.search(c) for c in self.photo_credits):
            object.__setattr__(self, "photo_credits", tuple(clean_field(c) for c in self.photo_credits))
        for name in ("id", "title", "source", "author", "url"):
            value = getattr(self, name)
            if isinstance(value, str) and _UNSAFE_LINE.search(value):
                object.__setattr__(self, name, _safe_or_none(value))

    @classmethod
    def create(
        cls,
        *,
        title: str,
        paragraphs: list[str] | tuple[str, ...],
        source: str | None = None,
        published: date | datetime | str | None = None,
        author: str | None = None,
        url: str | None = None,
        id: str | None = None,  # noqa: A002 - mirrors the field name
        **kwargs: Any,
    ) -> Article:
        """Build an article, deriving a stable ``id`` when none is given.

        ``published`` is a ``date``, a ``datetime`` or a string: ISO 8601
        (``2024-07-05``, ``2024-07-05T08:30``) or German (``5. Juli 2024``,
        ``05.07.2024 08:30``). A string without a time gives a ``date``; one that
        cannot be read raises ``ValueError``.
        """
        published = as_published(published)
        # Clean first, so the derived id is the one the cleaned article would get.
        paras = tuple(_safe(p) if _UNSAFE.search(p) else p for p in paragraphs)
        title, source, author, url = (
            _safe_or_none(title) or "",
            _safe_or_none(source),
            _safe_or_none(author),
            _safe_or_none(url),
        )
        article_id = id or make_article_id(
            url=url, source=source, title=title, published=published, paragraphs=paras
        )
        return cls(
            id=article_id,
            title=title,
            paragraphs=paras,
            source=source,
            published=published,
            author=author,
            url=url,
            **kwargs,
        )

    @property
    def text(self) -> str:
        """All paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)

    def content_hash(self) -> str:
        """A hash of everything the index stores, used to skip unchanged re-adds."""
        payload = json.dumps(self.to_dict(include_origin=False), sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(payload.encode("utf-8"), digest_size=12).hexdigest()

    def to_dict(self, include_origin: bool = True) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO 8601 strings)."""
        d: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "author": self.author,
            "url": self.url,
            "paragraphs": list(self.paragraphs),
        }
        if self.photo_credits:
            d["photo_credits"] = list(self.photo_credits)
        if include_origin:
            d["origin_path"] = self.origin_path
            d["origin_line"] = self.origin_line
        if self.extra:
            d["extra"] = self.extra
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        """Inverse of :meth:`to_dict`."""
        # Any form Article.create takes: JSON written by hand may say "2024-07-05 08:30".
        published = as_published(d.get("published"))
        return cls(
            id=d["id"],
            title=d.get("title") or "",
            paragraphs=tuple(d.get("paragraphs") or ()),
            source=d.get("source"),
            published=published,
            author=d.get("author"),
            url=d.get("url"),
            origin_path=d.get("origin_path"),
            origin_line=d.get("origin_line"),
            photo_credits=tuple(d.get("photo_credits") or ()),
            extra=dict(d.get("extra") or {}),
        )
