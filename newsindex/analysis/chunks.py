"""Context-free rows built chunk by chunk: spaCy's tokenizer runs once per distinct chunk.

spaCy's tokenizer splits a text at whitespace (``str.isspace``, exactly what
``str.split()`` splits on) and tokenises every whitespace-delimited chunk on its
own: prefixes, suffixes, infixes, ``token_match``/``url_match`` and the special
cases all look inside one chunk. A chunk's tokens therefore do not depend on the
text around it, and with a context-free lemmatizer neither do its words' terms,
so what the chain makes of a chunk (its :data:`Piece` rows, offsets relative to
the chunk) is worked out once and a text's rows are its chunks' pieces laid end to
end. A news paragraph's chunks are nearly all seen before (on all of adl about 2 of
its ~40 are new by the end), and spaCy tokenises only the new ones.

One part of spaCy's tokenizer does cross whitespace: after tokenising the chunks
it runs a phrase matcher over the whole Doc for the special cases that affix
rules split (``:)`` → ``:`` ``)``). Such a match over a chunk boundary (``Tor: 1``
matches the tokens of ``:1``) changes nothing by itself, since no special case's
text holds that space, but it may shadow an overlapping match inside a chunk
(``x:( ) y`` and ``x:(`` alone do not tokenise alike). Where one chunk ends
with a pattern's token and the next, one space on, starts with that pattern's
next token (``Lizenz. >>``: 2.3 % of adl's texts), the run of chunks so
joined is tokenised by spaCy as one piece of text, and every other chunk still
comes from the cache (:meth:`ChunkRows.rows`). That run's tokens are the whole
text's: a match across a space never crosses the run's ends, and spaCy's choice
among overlapping matches looks only at the matches that overlap. Every text is
analysed whole when a pattern holds a whitespace token, which German's rules do not.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .simple_chunks import simple_chunks

if TYPE_CHECKING:
    from .lemmatizers import LemmaBackend

__all__ = ["ChunkRows", "Learnt", "Piece", "Row", "lay_pieces", "special_patterns"]

# One analysed word as the chain keeps it: a Token's fields, in Token's order (a
# tuple costs a fraction of a frozen dataclass; Tokens are made for callers only).
Row = tuple[str, int, int, int, str, tuple[str, ...], bool, tuple[str, ...], str]
# What one spaCy token (or chunk) becomes, worked out once per distinct surface
# (context-free lemmatizers only): its word pieces as (offset, length, text, lemma,
# parts, is_stop, stem, is a separable particle, may be a surname).
Piece = tuple[int, int, str, str, tuple[str, ...], bool, str, bool, bool]
# What a text becomes: rows, rows (after the first) that are separable particles,
# rows (after the first) that may be surnames.
Analysis = tuple[list[Row], list[int], list[int]]
# The special-case pattern tokens a chunk starts with, and those it ends with.
Ends = tuple[tuple[str, ...], tuple[str, ...]]
# A chunk learnt: its text, its pieces, its ends.
Learnt = list[tuple[str, tuple["Piece", ...], "Ends | None"]]
# Chunks per spaCy call when learning many (a text's few new ones go in one call).
_GROUP = 512


def lay_pieces(
    pieces: tuple[Piece, ...],
    start: int,
    position: int,
    rows: list[Row],
    particles: list[int],
    candidates: list[int],
) -> int:
    """Append the rows of ``pieces`` (of a token or chunk at ``start`` in the text) from
    word ``position`` on, noting separable particles and possible surnames; returns the
    position after them."""
    append = rows.append
    for offset, n, piece, lemma, parts, is_stop, stem, particle, candidate in pieces:
        if particle and position:
            particles.append(position)
        if candidate and position:
            candidates.append(position)
        begin = start + offset
        append((piece, begin, begin + n, position, lemma, parts, is_stop, (), stem))
        position += 1
    return position


def special_patterns(backend: LemmaBackend) -> dict[str, tuple[str, ...]] | None:
    """The special-case patterns of more than one token that spaCy's tokenizer matches
    over the whole Doc, by the rule's text; ``None`` when a pattern holds whitespace
    (chunks are then not independent at all).

    The patterns are made as spaCy's ``Tokenizer.add_special_case`` makes them: the
    rule's text tokenised by affix rules only (a tokenizer with the same rules and no
    special cases), for rules that an affix rule touches or that hold a space.
    """
    # Under the pipeline's lock: the bare tokenizer shares its vocabulary, which another
    # thread may be using (in a memory zone) meanwhile.
    with backend.exclusive() as nlp:
        return _special_patterns(nlp)


def _special_patterns(nlp: Any) -> dict[str, tuple[str, ...]] | None:
    tokenizer: Any = nlp.tokenizer
    try:
        bare = type(tokenizer)(
            nlp.vocab,
            prefix_search=tokenizer.prefix_search,
            suffix_search=tokenizer.suffix_search,
            infix_finditer=tokenizer.infix_finditer,
            token_match=tokenizer.token_match,
            url_match=tokenizer.url_match,
        )
        rules = list(tokenizer.rules)
        faster = tokenizer.faster_heuristics
    except (AttributeError, TypeError):
        return None  # not spaCy's rule-based tokenizer: no claim about its chunks
    patterns: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        affixed = tokenizer.find_prefix(rule) or tokenizer.find_infix(rule) or tokenizer.find_suffix(rule)
        if faster and not affixed and " " not in rule:
            continue  # spaCy adds no pattern for it
        pattern = [t.text for t in bare(rule)]
        if len(pattern) < 2:
            continue
        if any(not word or any(ch.isspace() for ch in word) for word in pattern):
            return None
        patterns[rule] = tuple(pattern)
    return patterns


def _lengths_by(texts: dict[str, str], index: int) -> dict[str, tuple[int, ...]]:
    """The lengths of ``texts`` by their character at ``index`` (0: first, -1: last)."""
    out: dict[str, set[int]] = {}
    for text in texts:
        out.setdefault(text[index], set()).add(len(text))
    return {char: tuple(sorted(lengths)) for char, lengths in out.items()}


class ChunkRows:
    """The context-free chain's rows of a text from a cache keyed by whitespace-delimited chunk.

    ``surface_pieces`` is what the chain makes of one spaCy token. The cache holds
    at most ``limit`` chunks (then starts afresh, like the chain's other caches);
    reads and writes are single dict operations, so the object may be shared
    between threads (two threads may both work out a new chunk, to the same result).
    """

    def __init__(
        self,
        backend: LemmaBackend,
        surface_pieces: Callable[[str], tuple[Piece, ...]],
        limit: int,
    ) -> None:
        self._backend = backend
        self._surface_pieces = surface_pieces
        self._limit = limit
        patterns = special_patterns(backend)
        self._pairs: frozenset[tuple[str, str]] | None = None
        if patterns is not None:
            self._pairs = frozenset(p for tokens in patterns.values() for p in itertools.pairwise(tokens))
        # The pattern tokens that may end a chunk's tokens (the first of a pair) and
        # those that may start them (the second).
        self._may_end = frozenset(a for a, _ in self._pairs or ())
        self._may_start = frozenset(b for _, b in self._pairs or ())
        # A pattern's first token by its rule's text where that token may start a
        # pair, likewise its last token; and the lengths of those texts by their
        # first (last) character (see _ends).
        self._first_of = {r: t[0] for r, t in (patterns or {}).items() if t[0] in self._may_start}
        self._last_of = {r: t[-1] for r, t in (patterns or {}).items() if t[-1] in self._may_end}
        self._first_lengths = _lengths_by(self._first_of, 0)
        self._last_lengths = _lengths_by(self._last_of, -1)
        # (pieces by chunk, ends by chunk) as one attribute: a thread that starts the
        # cache afresh swaps both at once, so no reader sees a chunk's pieces without
        # its ends. A chunk's ends are the pattern tokens it starts with and those it
        # ends with; only chunks with some are kept there (a few percent).
        self._cache: tuple[dict[str, tuple[Piece, ...]], dict[str, Ends]] = ({}, {})
        self._simple = simple_chunks(backend) if patterns is not None else None

    def __len__(self) -> int:
        return len(self._cache[0])

    def rows(self, text: str) -> Analysis | None:
        """The rows of ``text`` as the whole-text analysis makes them, or ``None`` where they
        cannot be made from chunks (no chunking, an over-long text, chunks whose spaCy tokens
        read together are not their own); the caller then analyses the text whole."""
        pairs = self._pairs
        if pairs is None or len(text) > self._backend.nlp.max_length:
            return None  # the whole-text path raises spaCy's error for an over-long text
        chunks, edges = self._cache
        words = text.split()
        rows: list[Row] = []
        particles: list[int] = []
        candidates: list[int] = []
        position = 0
        end = 0
        tails: tuple[str, ...] = ()
        for i, chunk in enumerate(words):
            start = text.find(chunk, end)
            pieces = chunks.get(chunk)
            if pieces is None:
                self._learn(words[i:])
                chunks, edges = self._cache
                pieces = chunks.get(chunk)
                if pieces is None:
                    return None
            if edges:
                ends = edges.get(chunk)
                if ends is None:
                    tails = ()
                else:
                    heads, next_tails = ends
                    spaced = start == end + 1 and text[end] == " "
                    if tails and heads and spaced and any((a, b) in pairs for a in tails for b in heads):
                        return self._rows_with_runs(text, words)
                    tails = next_tails
            position = lay_pieces(pieces, start, position, rows, particles, candidates)
            end = start + len(chunk)
        return rows, particles, candidates

    def _rows_with_runs(self, text: str, words: list[str]) -> Analysis | None:
        """:meth:`rows` of a text where spaCy's matcher may look across a space: each run of
        chunks so joined (see the module's docstring) is tokenised as one piece of text,
        every other chunk comes from the cache; ``None`` when a chunk cannot be learnt."""
        self._learn(words)
        chunks, edges = self._cache
        pairs = self._pairs or frozenset()
        starts: list[int] = []
        end = 0
        for chunk in words:
            if chunk not in chunks:
                return None
            start = text.find(chunk, end)
            starts.append(start)
            end = start + len(chunk)
        # joined[i]: spaCy's matcher may see chunk i and the one before it together
        joined = [False] * (len(words) + 1)
        for i in range(1, len(words)):
            before, after = edges.get(words[i - 1]), edges.get(words[i])
            if before is None or after is None:
                continue
            gap = starts[i - 1] + len(words[i - 1])
            if starts[i] == gap + 1 and text[gap] == " ":
                joined[i] = any((a, b) in pairs for a in before[1] for b in after[0])
        rows: list[Row] = []
        particles: list[int] = []
        candidates: list[int] = []
        position = 0
        i = 0
        while i < len(words):
            j = i + 1
            while joined[j]:
                j += 1
            if j == i + 1:
                position = lay_pieces(chunks[words[i]], starts[i], position, rows, particles, candidates)
            else:
                begin = starts[i]
                run = text[begin : starts[j - 1] + len(words[j - 1])]
                for start, length in self._backend.spans(run):
                    pieces = self._surface_pieces(run[start : start + length])
                    position = lay_pieces(pieces, begin + start, position, rows, particles, candidates)
            i = j
        return rows, particles, candidates

    @property
    def chunkwise(self) -> bool:
        """Whether texts are analysed chunk by chunk (else :meth:`rows` always answers ``None``)."""
        return self._pairs is not None

    def unknown(self, texts: Iterable[str], *, make_room: bool = False) -> list[str]:
        """The distinct chunks of ``texts`` that the cache lacks, in order of first occurrence
        (none for a text :meth:`rows` does not read chunk by chunk).

        With ``make_room``, where they would not fit in the cache beside what it holds, the
        cache starts afresh with only the chunks of ``texts`` it holds: learning them then
        fills it with what these texts need, instead of starting afresh midway and dropping
        the words common to every batch (an archive past ~140,000 paragraphs of news has
        more distinct chunks than the cache holds).
        """
        if self._pairs is None:
            return []
        longest = self._backend.nlp.max_length
        chunks, edges = self._cache
        seen = dict.fromkeys(itertools.chain.from_iterable(t.split() for t in texts if len(t) <= longest))
        todo = [chunk for chunk in seen if chunk not in chunks]
        if make_room and len(chunks) + len(todo) > self._limit:
            kept = {chunk: chunks[chunk] for chunk in seen if chunk in chunks}
            self._cache = (kept, {chunk: edges[chunk] for chunk in kept if chunk in edges})
        return todo

    def work_out(self, chunks: list[str]) -> Learnt:
        """What each of ``chunks`` (distinct, none in the cache) becomes, without keeping it.

        spaCy reads them in groups; a group whose tokens are not its chunks' own is read
        again one chunk at a time, and a chunk that is not its own alone is left out (the
        text it is in is then analysed whole, as :meth:`rows` does).
        """
        learnt: Learnt = []
        for i in range(0, len(chunks), _GROUP):
            group = chunks[i : i + _GROUP]
            made = self._work_out(group)
            if made is None:
                for chunk in group:
                    learnt.extend(self._work_out([chunk]) or ())
            else:
                learnt.extend(made)
        return learnt

    def _ends(self, chunk: str, first: str, last: str) -> Ends | None:
        """The tokens that ``chunk`` may start and end with as spaCy's matcher sees it
        and that may start or end a pattern pair (``None``: none).

        ``first`` and ``last`` are the first and last token of the chunk's Doc. The
        matcher sees the chunk's tokens before its own special cases replace some:
        where one replaced the chunk's first tokens, the chunk starts with that rule's
        text and the matcher saw that rule's pattern's first token (likewise at the end).
        """
        heads: tuple[str, ...] = (first,) if first in self._may_start else ()
        for n in self._first_lengths.get(chunk[0], ()):
            head = self._first_of.get(chunk[:n])
            if head is not None and head not in heads:
                heads += (head,)
        tails: tuple[str, ...] = (last,) if last in self._may_end else ()
        for n in self._last_lengths.get(chunk[-1], ()):
            tail = self._last_of.get(chunk[-n:])
            if tail is not None and tail not in tails:
                tails += (tail,)
        return (heads, tails) if heads or tails else None

    def _learn(self, words: list[str]) -> None:
        """Work out and keep the chunks of ``words`` not in the cache yet (all or none)."""
        chunks = self._cache[0]
        todo = [w for w in dict.fromkeys(words) if w not in chunks]
        if todo:
            learnt = self._work_out(todo)
            if learnt is not None:
                self.store(learnt)

    def _work_out(self, todo: list[str]) -> Learnt | None:
        """What the chunks ``todo`` become, those spaCy must tokenise read in one call;
        ``None`` when spaCy's tokens are not the chunks' own.

        They are joined by newlines: a newline is whitespace, so each is tokenised on
        its own, and no pattern holds a whitespace token (else the cache is off), so
        no special-case match spans two of them.
        """
        surface_pieces = self._surface_pieces
        learnt: Learnt = []
        simple = self._simple
        if simple is not None:
            rest: list[str] = []
            for chunk in todo:
                lengths = simple.lengths(chunk)
                if lengths is None:
                    rest.append(chunk)
                elif len(lengths) == 1:
                    learnt.append((chunk, surface_pieces(chunk), self._ends(chunk, chunk, chunk)))
                else:
                    word, suffix = chunk[: lengths[0]], chunk[lengths[0] :]
                    pieces = surface_pieces(word)
                    made = surface_pieces(suffix)
                    if made:
                        made = tuple((lengths[0] + p[0], *p[1:]) for p in made)
                    pieces = pieces + made if pieces else made
                    learnt.append((chunk, pieces, self._ends(chunk, word, suffix)))
            todo = rest
        if todo and not self._learn_from_spacy(todo, learnt):
            return None
        return learnt

    def _learn_from_spacy(self, todo: list[str], learnt: Learnt) -> bool:
        """Tokenise ``todo`` in one spaCy call, appending what each chunk makes to ``learnt``;
        ``False`` when spaCy's tokens are not the chunks' own (learn nothing then)."""
        joined = "\n".join(todo)
        spans = self._backend.spans(joined)  # plain offsets: spaCy keeps none of the words
        spans.append([len(joined) + 1, 0])  # past every chunk: the loops below stop there
        surface_pieces = self._surface_pieces
        k = 0
        chunk_start = 0
        for chunk in todo:
            chunk_end = chunk_start + len(chunk)
            start, length = spans[k]
            while start < chunk_start:  # the newline before this chunk
                k += 1
                start, length = spans[k]
            if start != chunk_start:
                return False  # not the tokens spaCy makes as read here: learn nothing
            if length == len(chunk):  # one token, the whole chunk: most chunks
                pieces = surface_pieces(chunk)
                first = last = chunk
                k += 1
            else:
                first = joined[start : start + length]
                pieces = ()
                while start < chunk_end:
                    if start + length > chunk_end:
                        return False  # a token over the newline: not spaCy as read here
                    last = joined[start : start + length]
                    made = surface_pieces(last)
                    if made and start != chunk_start:
                        offset = start - chunk_start
                        made = tuple((offset + p[0], *p[1:]) for p in made)
                    pieces = pieces + made if pieces else made
                    k += 1
                    start, length = spans[k]
            learnt.append((chunk, pieces, self._ends(chunk, first, last)))
            chunk_start = chunk_end + 1
        return True

    def store(self, learnt: Learnt) -> None:
        """Keep chunks worked out by :meth:`work_out` (perhaps in another process), starting
        the cache afresh when they would not fit."""
        chunks, edges = self._cache
        fresh = len(chunks) + len(learnt) > self._limit
        if fresh:
            chunks, edges = {}, {}
        for chunk, pieces, chunk_ends in learnt:
            if chunk_ends is not None:
                edges[chunk] = chunk_ends  # before the pieces: a reader that finds them finds it
            chunks[chunk] = pieces
        if fresh:
            self._cache = (chunks, edges)
