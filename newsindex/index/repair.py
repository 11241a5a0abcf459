"""Repairing an index that stores paragraphs more than once (``newsindex check --repair``).

Before writers decided under the write lock whether an article was already
stored, two ``newsindex index`` runs at once could both add it: every paragraph
then stood in the index twice, ``check`` said "stored 2 times", and re-runs
skipped the article, so nothing repaired it. :func:`remove_duplicates` keeps one
copy of each paragraph, in one commit made under the write lock.

Which copy: for each article, the version (content hash) of its most recently
written paragraph, and of that version, for each paragraph number, the most
recently written document. Articles stored once are not touched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .documents import article_of
from .writing import ArticleWriter

__all__ = ["RepairReport", "remove_duplicates"]


@dataclass(slots=True)
class RepairReport:
    """What :func:`remove_duplicates` removed: paragraph documents, and of which articles."""

    removed: int = 0
    articles: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One sentence for people."""
        if not self.removed:
            return "repaired: nothing to repair (no paragraph is stored twice)"
        n = len(self.articles)
        return (
            f"repaired: removed {self.removed:,} duplicate paragraph{'s' if self.removed != 1 else ''} "
            f"of {n:,} article{'s' if n != 1 else ''}, keeping one copy of each"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"removed": self.removed, "articles": list(self.articles)}


def _surplus(reader: Any) -> tuple[list[int], list[str]]:
    """The document numbers to delete (all copies but one of each paragraph), and their articles."""
    docs: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # article -> (docnum, paragraph, hash)
    seen: dict[str, int] = defaultdict(int)  # doc id -> copies
    for docnum, stored in reader.iter_docs():  # live documents only
        aid, number = stored.get("article_id"), stored.get("paragraph")
        if not isinstance(aid, str) or not isinstance(number, int):
            continue
        docs[aid].append((docnum, number, str(stored.get("article_hash"))))
        seen[str(stored.get("doc_id"))] += 1
    doubled = {article_of(did) for did, n in seen.items() if n > 1}
    delete: list[int] = []
    articles: list[str] = []
    for aid in sorted(doubled):
        entries = sorted(docs.get(aid, ()))  # by document number: later ones were written later
        if not entries:
            continue
        newest_hash = entries[-1][2]
        keep: dict[int, int] = {}
        for docnum, number, content in entries:
            if content == newest_hash:
                keep[number] = docnum  # the last one wins
        kept = set(keep.values())
        surplus = [docnum for docnum, _, _ in entries if docnum not in kept]
        if surplus:
            delete += surplus
            articles.append(aid)
    return delete, articles


def remove_duplicates(article_writer: ArticleWriter) -> RepairReport:
    """Keep one copy of each paragraph of the index ``article_writer`` writes (one commit).

    Takes the write lock (waiting as any writer does, then
    :class:`IndexLockedError`), so no writer runs while the copies are chosen.
    """
    writer = article_writer._writer()
    try:
        with writer.reader() as reader:
            delete, articles = _surplus(reader)
        for docnum in delete:
            writer.delete_document(docnum)
    except BaseException as exc:
        article_writer._give_up(writer, exc)
    if not delete:
        article_writer._abort(writer)
        return RepairReport()
    article_writer._commit(writer)
    return RepairReport(removed=len(delete), articles=articles)
