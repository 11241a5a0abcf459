"""A segment's postings in memory, grouped by field and term (the fast writer's pool).

Whoosh's ``PostingPool`` keeps one ``(field, term, docnum, weight, value)`` tuple per
posting and sorts them all at commit. Within one segment writer documents get
increasing numbers, so every term's postings already arrive in document order:
:class:`TermPool` files them under their field and term as they come, three list
slots per posting, and :func:`~newsindex.index.segment_writer.write_postings` reads
them field by field, term by term.

A field whose value repeats from one document to the next (an article's title,
source, period and id on each of its paragraphs) has the same postings in each: the
writer records such a stretch as a *repeat* (:meth:`TermPool.repeat`), the postings of
documents ``start..end-1``, and the pool writes them out in one go per term
(:meth:`TermPool.settle`) before anything else of that field is added or anyone reads
the pool, so every term's postings stay in document order.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Postings", "Repeat", "TermPool"]

# One term's postings: document numbers, weights, encoded values (each in document order).
Postings = tuple[list[int], list[float], list[bytes | None]]


class Repeat:
    """The same postings for documents ``start`` to ``end - 1`` of one field, not yet in the pool.

    ``refs`` holds, per term, the pool's three lists and the posting's weight and value.
    ``end`` is ``-1`` once the pool has taken the postings (the repeat can grow no more).
    """

    __slots__ = ("end", "refs", "start")

    def __init__(
        self, refs: list[tuple[list[int], list[float], list[bytes | None], float, Any]], docnum: int
    ):
        self.refs = refs
        self.start = docnum
        self.end = docnum + 1


class TermPool:
    """Stands in for Whoosh's ``PostingPool`` in a segment writer: postings grouped by term.

    Implements what a segment writer (and a multi-segment worker) asks of its
    pool: ``add``, ``fieldnames``, ``iter_postings``, ``cleanup``. Everything
    stays in memory, which at a batch's size (``DEFAULT_BATCH`` paragraphs) is
    less than Whoosh's pool holds before it spills: a posting costs three list
    slots here instead of a five-item tuple.
    """

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, Postings]] = {}  # field name → term bytes → postings
        self.fieldnames: set[str] = set()
        self.runs: list[str] = []  # Whoosh's pool API; never any files here
        self._spelling: set[str] = set()  # fields that got only spelling items (docnum -1)
        self._repeats: list[Repeat] = []  # not yet settled, at most one per field
        self.shared: set[str] = set()  # fields with repeats: value objects occur more than once
        # Every term's postings are in increasing document order (so need no sort at commit):
        # cleared by ``add`` when one is not. The fast ``add_document`` keeps it by construction
        # (increasing document numbers, one posting per term and document).
        self.ordered = True

    def terms_of(self, fieldname: str) -> dict[bytes, Postings]:
        """The field's postings by term (created empty; the field counts once it holds one)."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """File one posting ``(fieldname, term bytes, docnum, weight, value bytes)``."""
        if self._repeats:
            self.settle()
        fieldname, tbytes, docnum, weight, value = item
        self.fieldnames.add(fieldname)
        if docnum == -1:  # a spelling word, which Whoosh's field writer skips too
            self._spelling.add(fieldname)
            return
        terms = self.terms_of(fieldname)
        postings = terms.get(tbytes)
        if postings is None:
            terms[tbytes] = ([docnum], [weight], [value])
            return
        if postings[0][-1] >= docnum:
            self.ordered = False
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(value)

    def repeat(
        self, fieldname: str, items: list[tuple[bytes, int, float, Any]], boost: float, docnum: int
    ) -> Repeat:
        """Start a repeat of ``items`` (the field's postings of an earlier document, as
        ``_word_values`` gives them, unboosted) at ``docnum``; the caller grows its ``end``."""
        terms = self.terms_of(fieldname)
        self.shared.add(fieldname)
        refs = []
        for tbytes, _, weight, vbytes in items:
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = ([], [], [])
                self.fieldnames.add(fieldname)
            refs.append((*postings, weight * boost, vbytes))
        run = Repeat(refs, docnum)
        self._repeats.append(run)
        return run

    def settle_one(self, run: Repeat) -> None:
        """Put one repeat's postings in the pool (before other postings of its field)."""
        if run.end < 0:
            return
        self._repeats.remove(run)
        self._expand(run)

    def settle(self) -> None:
        """Put every pending repeat's postings in the pool."""
        for run in self._repeats:
            self._expand(run)
        self._repeats.clear()

    @staticmethod
    def _expand(run: Repeat) -> None:
        start, end = run.start, run.end
        run.end = -1
        k = end - start
        if k == 1:
            for docs, weights, values, weight, value in run.refs:
                docs.append(start)
                weights.append(weight)
                values.append(value)
            return
        span = range(start, end)
        for docs, weights, values, weight, value in run.refs:
            docs.extend(span)
            weights.extend([weight] * k)
            values.extend([value] * k)

    def iter_postings(self) -> Any:
        """Whoosh's sorted ``(field, term, docnum, weight, value)`` stream (for callers that want it)."""
        self.settle()
        for fieldname in sorted(self.fields):
            for tbytes, (docs, weights, values) in sorted(self.fields[fieldname].items()):
                for posting in sorted(zip(docs, weights, values, strict=True)):
                    yield (fieldname, tbytes, *posting)

    def save(self) -> None:
        """Nothing to save: the pool never spills to disk."""

    def cleanup(self) -> None:
        """Drop the postings."""
        self.fields = {}
        self._repeats = []

    def sorted_fields(self) -> list[tuple[str, list[tuple[bytes, Postings]]]]:
        """Fields in name order, each with its terms in byte order (Whoosh's order)."""
        self.settle()
        names = {name for name, terms in self.fields.items() if terms} | self._spelling
        # Term keys are unique, so the sort never compares postings.
        return [(name, sorted(self.fields.get(name, {}).items())) for name in sorted(names)]
