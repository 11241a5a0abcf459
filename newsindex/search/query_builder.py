"""Turn a :class:`QueryPlan` into Whoosh queries over the paragraph schema.

Each query word becomes an OR over its analysed terms in ``body``; their ``title``
terms only raise the score of passages that match in the body (a paragraph never
matches through its article's title alone):
the lemma (and, for a lowercase word, its noun reading), plus, when the compound
is rare in the index, its parts at a lower weight, so ``Drogenkartell`` also
finds plain ``Kartell`` but ranks the compound above it; and its Snowball stem in
the ``stems`` field at ``stem_boost`` (a second reading: *Abstimmung* meets
*abstimmen*; it adds to the score, never to the marks). Words are OR-ed
(BM25F sums, so more matched words rank higher); phrases, ``+required`` words
and ``title:`` are required; ``-excluded`` words remove passages. Prefix and
fuzzy words expand to at most ``EXPANSION_CAP`` index terms (a prefix to its most
frequent, a typo to its closest), so ``a*`` cannot enumerate the vocabulary; a
compound no passage contains is searched through its parts at full weight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from whoosh import query as wq
from whoosh.reading import IndexReader

from ..analysis import AnalysisChain, Token
from ..analysis.compounds import MAX_SPLIT_CHARS
from ..analysis.name_genitives import genitive_partner
from ..analysis.places import place_of_adjective
from ..analysis.thesaurus import Thesaurus
from ..index.schema import BODY, STEMS, STOPS, TITLE
from ..index.vocabulary import Vocabularies
from .date_filter import period_query
from .phrases import PhraseWord
from .query_syntax import QueryPlan
from .temporal import years_asked
from .term_infos import TermInfos
from .title_terms import TitleTerm

__all__ = [
    "EXPANSION_CAP",
    "EXPANSION_POSTINGS_CAP",
    "EXPANSION_TERMS_CAP",
    "PREFIX_SCAN_CAP",
    "STOP_POSTINGS_CAP",
    "BuiltQuery",
    "QueryBuilder",
    "fuzzy_distance",
]

EXPANSION_CAP = 64
# A compound query word also searches its parts only when the compound itself is
# rare: parts such as "gesetz" or "wahl" match a large share of all passages, and
# scoring them costs far more than it adds once the compound has enough matches.
PART_EXPANSION_MAX_DF = 50
PREFIX_SCAN_CAP = 5_000
MAX_WORDS = 64
# Stop words are ranked from the ``stops`` field, whose postings (with positions)
# cover most passages: "der" alone is in nine of ten. A query ranks stop words
# only up to this many postings in all; a stop word beyond it is left out (noted).
STOP_POSTINGS_CAP = 150_000
# The postings all prefix and typo expansions of a query may rank, shared fairly
# among its expanded words: eight two-letter prefixes would otherwise rank the
# 512 most frequent words of the index. A term that does not fit is left out (noted).
EXPANSION_POSTINGS_CAP = 120_000
# Index terms all expansions of a query may add: each term is looked up in every
# segment, so eight words of 64 terms cost more than their postings. Two expanded
# words still get 64 terms each.
EXPANSION_TERMS_CAP = 128


def _union(subqueries: list[wq.Query], **kwargs: float) -> wq.Or:
    """An OR that always uses Whoosh's union-tree matcher.

    Whoosh otherwise preloads every match of an OR in segments under 5,000
    documents, which disables its block-max skipping; for top-10 searches over
    common words the tree matcher is several times faster.
    """
    q = wq.Or(subqueries, **kwargs)
    q.matcher_type = wq.Or.DEFAULT_MATCHER
    return q


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def fuzzy_distance(word: str) -> int:
    """Elasticsearch's AUTO: 0 edits up to 3 letters, 1 for 4–7, 2 beyond."""
    n = len(word)
    return 0 if n < 4 else 1 if n <= 7 else 2


# A noun's first synonyms in the thesaurus's order (its main form first); more add cost, not answers.
MAX_SYNONYMS = 4


@dataclass(slots=True)
class BuiltQuery:
    """The Whoosh query, its filter, the words it excludes, and notes for the user."""

    query: wq.Query | None
    filter: wq.Query | None
    notes: list[str]
    highlight_terms: tuple[tuple[str, str], ...] = ()
    exclude: wq.Query | None = None
    # Each phrase's words: the passages must also contain them in a row (see .phrases).
    phrases: tuple[tuple[PhraseWord, ...], ...] = ()
    phrase_texts: tuple[str, ...] = ()  # each phrase as typed, for notes
    # Each ranked query word's ``body`` terms (readings and parts), for the proximity bonus.
    word_terms: tuple[tuple[str, ...], ...] = ()
    # Each ranked query word's ``body`` query (its terms with their boosts), for article evidence.
    word_queries: tuple[wq.Query, ...] = ()
    # The years the query names (see .temporal).
    years: frozenset[int] = frozenset()
    # Each of ``word_queries``' word as the index reads it (its lemma) and its weight
    # (``lowercase_weight`` for framing words), for the query's coverage (.coverage).
    word_heads: tuple[tuple[str, float], ...] = ()


class QueryBuilder:
    """Builds Whoosh queries; needs the index reader for prefix/fuzzy expansion."""

    def __init__(
        self,
        chain: AnalysisChain,
        reader: IndexReader,
        *,
        title_boost: float,
        part_boost: float,
        lowercase_weight: float = 1.0,
        vocabularies: Vocabularies | None = None,
        stem_boost: float = 0.0,
        synonyms: tuple[float, Callable[[], Thesaurus | None]] = (0.0, lambda: None),
        term_infos: TermInfos | None = None,
    ) -> None:
        self.chain = chain
        # The index's kept term lookups: a word's document frequencies, then its scoring,
        # look each term up in each segment once (see .term_infos).
        self.term_infos = term_infos
        # (weight, the thesaurus, loaded on first use): see .._synonyms.
        self.synonym_boost, self._thesaurus = synonyms
        self._thesaurus_at_hand: tuple[Thesaurus | None] | None = None
        self._with_synonyms = False
        self.reader = reader
        # Indexes built with AnalysisConfig(stems=False) have no stems field.
        self.stem_boost = stem_boost if STEMS in reader.schema else 0.0
        self.title_boost = title_boost
        self.part_boost = part_boost
        self.lowercase_weight = lowercase_weight
        self._titles: list[wq.Query] = []
        self._word_terms: list[tuple[str, ...]] = []
        self._word_queries: list[wq.Query] = []
        self._word_heads: dict[wq.Query, tuple[str, float]] = {}
        self.vocabularies = vocabularies or Vocabularies()
        self._notes: list[str] = []
        self._stops_ranked: set[str] = set()
        self._stops_left = STOP_POSTINGS_CAP
        self._expansion_left = EXPANSION_POSTINGS_CAP
        self._expansion_terms_left = EXPANSION_TERMS_CAP
        self._expanding = 0

    def _df(self, fieldname: str, text: str) -> int:
        """``self.reader.doc_frequency``, through the kept lookups when there are some."""
        if self.term_infos is None:
            return int(self.reader.doc_frequency(fieldname, text))
        return self.term_infos.doc_frequency(self.reader, fieldname, text)

    def _note(self, note: str) -> None:
        if note not in self._notes:
            self._notes.append(note)

    def build(
        self,
        plan: QueryPlan,
        *,
        source: str | list[str] | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
    ) -> BuiltQuery:
        """Build the query and filter for ``plan`` plus keyword filters."""
        notes = list(plan.problems)
        self._notes = notes
        self._stops_ranked = set()
        self._stops_left = STOP_POSTINGS_CAP
        self._titles = []
        self._word_terms = []
        self._word_queries = []
        self._word_heads = {}
        optional: list[wq.Query] = []
        required: list[wq.Query] = []

        words = self._analyze(" ".join(plan.text))
        content = [t for t in words if not t.is_stop] or words
        if len(content) > MAX_WORDS:
            notes.append(f"only the first {MAX_WORDS} words of the query were used")
            content = content[:MAX_WORDS]
        if any(len(t.text) > MAX_SPLIT_CHARS and t.text.isalpha() for t in content):
            notes.append(f"words over {MAX_SPLIT_CHARS} letters are searched whole, not split into parts")
        only_stops = bool(words) and all(t.is_stop for t in words)
        # A question's nouns also search their synonyms; a single word is searched as typed.
        self._with_synonyms = self.synonym_boost > 0 and len(content) > 1
        for tok in content:
            if only_stops:
                stop = self._phrase_term(tok)
                if stop is not None:
                    optional.append(stop)
            else:
                # A word typed in lowercase is, in German, rarely a noun or a name but
                # the question's framing ("fand … statt", "trat … zurück"); unless the
                # dictionary does not know it: then it is a name or an abbreviation
                # typed so (ödp, taz, iPhone) or a foreign word, as topical as a noun.
                framing = tok.text[:1].islower() and self._in_dictionary(tok)
                optional.append(self._word(tok, weight=self.lowercase_weight if framing else 1.0))

        for word in plan.required:
            toks = [t for t in self._analyze(word) if not t.is_stop]
            required.extend(self._word(t, with_parts=False) for t in toks)
        phrases: list[tuple[PhraseWord, ...]] = []
        phrase_texts: list[str] = []
        for text in plan.phrases:
            found = self._phrase(text)
            if found is not None:
                required.append(found[0])
                phrases.append(found[1])
                phrase_texts.append(text)
        for text in plan.title:
            toks = [t for t in self._analyze(text) if not t.is_stop]
            required.extend(_union([wq.Term(TITLE, term) for term in self._readings(t)]) for t in toks)
        self._expansion_left = EXPANSION_POSTINGS_CAP
        self._expansion_terms_left = EXPANSION_TERMS_CAP
        self._expanding = len(plan.fuzzy) + len(plan.prefixes)
        for word, dist in plan.fuzzy:
            optional.append(self._fuzzy(word, dist))
        for prefix in plan.prefixes:
            q = self._prefix(prefix)
            if q is None:
                notes.append(f"nothing in the index starts with {prefix!r}")
            else:
                optional.append(q)

        query: wq.Query | None
        if required and (optional or self._titles):
            query = wq.AndMaybe(wq.And(required), _union(optional + self._titles))
        elif required:
            query = wq.And(required)
        elif optional:
            query = _union(optional)
            if self._titles:
                # The title raises the score of passages that match on their own;
                # a passage never matches through its article's title alone.
                query = wq.AndMaybe(query, _union(self._titles))
        else:
            query = None

        highlight = tuple(dict.fromkeys(query.iter_all_terms(phrases=True))) if query is not None else ()
        # Excluded words are a mask applied to the matches, not an AndNot in the query:
        # Whoosh's AndNotMatcher keeps a segment's first match when the excluded
        # term occurs earlier in that segment (tests/test_term_scoring.py).
        excluded = [wq.Term(BODY, t.lemma) for w in plan.excluded for t in self._analyze(w)]
        exclude = _union(excluded) if excluded else None
        return BuiltQuery(
            query,
            self._filter(plan, source, since, until),
            notes,
            highlight,
            exclude,
            tuple(phrases),
            tuple(phrase_texts),
            tuple(dict.fromkeys(self._word_terms)),
            word_queries := tuple(dict.fromkeys(self._word_queries)),
            years_asked([*plan.text, *plan.required, *plan.phrases]),
            tuple(self._word_heads[q] for q in word_queries),
        )

    # -- pieces --------------------------------------------------------------
    def _analyze(self, text: str) -> list[Token]:
        return self.chain.analyze(text, query=True) if text.strip() else []

    def _in_dictionary(self, tok: Token) -> bool:
        lexicon = self.chain.lexicon
        return lexicon.knows(tok.text) or lexicon.may_be_lemma(tok.lemma)

    def _name_forms(self, tok: Token) -> tuple[str, ...]:
        """A name's other spelling with or without the genitive *-s* (``Gaddafi`` /
        ``Gaddafis``, see :mod:`newsindex.analysis.name_genitives`), where the index has it."""
        partner = genitive_partner(tok.lemma)
        if partner is None or partner in tok.alternatives or self._in_dictionary(tok):
            return ()
        return (partner,) if self._df(BODY, partner) else ()

    @staticmethod
    def _readings(tok: Token) -> tuple[str, ...]:
        return (tok.lemma, *tok.alternatives)

    def _word(self, tok: Token, with_parts: bool = True, weight: float = 1.0) -> wq.Query:
        """The word's ``body`` terms; its ``title`` terms go to ``self._titles``
        (they only add to the score of passages the body terms match)."""
        clauses: list[wq.Query] = []
        titles = self._titles
        title_weight = self.title_boost
        # Alternative readings (lowercase "krieg" as the noun) only where the index has them.
        readings = (tok.lemma, *(a for a in tok.alternatives if self._df(BODY, a)), *self._name_forms(tok))
        for term in readings:
            clauses.append(wq.Term(BODY, term, boost=weight))
            if title_weight > 0:  # the title and the body score as one BM25F pair
                titles.append(TitleTerm(term, term, title_weight, weight))
        df = self._df(BODY, tok.lemma)
        parts = tok.parts if with_parts and df < PART_EXPANSION_MAX_DF else ()
        # A compound the index has never seen (Coca-Cola-Abfüller, Pfandregeln) can
        # only match through its parts: they stand in for it at full weight, in the
        # title too. Otherwise they only add a little to passages without the compound.
        boost = (1.0 if df == 0 else self.part_boost) * weight
        for part in parts:
            if part in readings:
                continue
            clauses.append(wq.Term(BODY, part, boost=boost))
            if df == 0 and title_weight > 0:
                titles.append(TitleTerm(part, part, title_weight, weight))
        if with_parts and place_of_adjective(tok.lemma) is not None:
            # "russische Truppen" also meets "Russlands Truppen", however common the
            # adjective: its part is the country (as the chain indexes it).
            for place in tok.parts:
                if place not in readings and place not in parts:
                    clauses.append(wq.Term(BODY, place, boost=self.part_boost * weight))
        if with_parts and self._with_synonyms and tok.text[:1].isupper():
            taken = {q.text for q in clauses}
            for synonym in self._synonyms(tok)[:MAX_SYNONYMS]:
                if synonym not in taken and self._df(BODY, synonym):
                    taken.add(synonym)
                    clauses.append(wq.Term(BODY, synonym, boost=self.synonym_boost * weight))
        # (A synonym standing close to the other words counts for the proximity bonus too.)
        self._word_terms.append(tuple(q.text for q in clauses))
        word = _union(clauses)
        self._word_queries.append(word)
        self._word_heads.setdefault(word, (tok.lemma, weight))
        if with_parts and tok.stem and self.stem_boost > 0:
            # Like the title, the stem only adds to passages that match on their own: a
            # passage found through a stem alone would show no marked word, and a typo
            # (Prasidenten) would find stem neighbours instead of its correction.
            titles.append(wq.Term(STEMS, tok.stem, boost=self.stem_boost * weight))
        return word

    def _synonyms(self, tok: Token) -> tuple[str, ...]:
        """The index terms of the thesaurus's synonyms of a noun (none without a thesaurus)."""
        if self._thesaurus_at_hand is None:  # looked up once per builder (a search and its retries)
            self._thesaurus_at_hand = (self._thesaurus(),)
        thesaurus = self._thesaurus_at_hand[0]
        if thesaurus is None:
            return ()
        words = thesaurus.synonyms(tok.lemma, tok.text)
        return tuple(t for t in (_synonym_term(self.chain, w) for w in words) if t is not None)

    def _phrase_term(self, tok: Token) -> wq.Query | None:
        """A stop word, searched as written (a query of stop words alone), within
        the query's stop-word budget (``None``: left out, with a note)."""
        terms = []
        for term in (tok.lemma, *tok.alternatives):
            if term not in self._stops_ranked:
                df = self._df(STOPS, term)
                if df > self._stops_left:
                    self._note(f"„{tok.text}“ is in too many passages to rank by; it was left out")
                    continue
                self._stops_left -= df
                self._stops_ranked.add(term)
            terms.append(wq.Term(STOPS, term))
        return _union(terms) if terms else None

    def _phrase(self, text: str) -> tuple[wq.Query, tuple[PhraseWord, ...]] | None:
        """The phrase's words as required, ranked words, and their positions in a row."""
        toks = self._analyze(text)
        if not toks:
            return None
        first = toks[0].position
        words = tuple(
            PhraseWord(STOPS if t.is_stop else BODY, self._readings(t), t.position - first) for t in toks
        )
        content = [t for t in toks if not t.is_stop]
        ranked = [self._word(t, with_parts=False) for t in content]
        if not ranked:
            ranked = [q for t in toks if (q := self._phrase_term(t)) is not None]
            if not ranked:
                return None
        return (ranked[0] if len(ranked) == 1 else wq.And(ranked)), words

    def _fuzzy(self, word: str, dist: int | None) -> wq.Query:
        toks = self._analyze(word)
        base = toks[0].lemma if toks else word.lower()
        surface = word.lower()
        maxdist = fuzzy_distance(word) if dist is None else dist
        terms: dict[str, float] = {base: 1.0}
        df: dict[str, int] = {}
        if maxdist:
            for source_term in dict.fromkeys((base, surface)):
                near = self.vocabularies.near_terms(self.reader, source_term, maxdist, EXPANSION_CAP)
                if near.capped:
                    self._note(f"{word}~ was compared only with the index words closest to it in length")
                df.update(near.df)
                for found in near.terms:
                    terms.setdefault(found, 0.8)
        # The word itself is always searched; its postings count against the budget.
        self._expansion_left -= self._df(BODY, base)
        self._expansion_terms_left -= 1
        others = {t: df.get(t, 0) for t in list(terms)[1:EXPANSION_CAP]}
        best = [base, *self._within_budget(f"{word}~", others)]
        self._titles.append(wq.Term(TITLE, base))
        return _union([wq.Term(BODY, t, boost=terms[t]) for t in best])

    def _prefix(self, prefix: str) -> wq.Query | None:
        from ..analysis.folding import fold

        p = fold(prefix) if self.chain.config.fold else prefix.lower()
        found = self.vocabularies.prefixed_df(self.reader, p, EXPANSION_CAP, PREFIX_SCAN_CAP)
        if not found:
            return None
        return _union([wq.Term(BODY, t) for t in self._within_budget(f"{prefix}*", found)])

    def _within_budget(self, label: str, terms: dict[str, int]) -> list[str]:
        """The expansion ``terms`` (best first, with their document frequencies) that
        fit this word's fair share of :data:`EXPANSION_POSTINGS_CAP` postings and
        :data:`EXPANSION_TERMS_CAP` terms; the rest are left out with a note."""
        share = max(0, self._expansion_left) // max(1, self._expanding)
        room = max(0, self._expansion_terms_left) // max(1, self._expanding)
        self._expanding -= 1
        kept: list[str] = []
        for term, df in terms.items():
            if len(kept) >= room:
                break
            if df <= share:
                kept.append(term)
                share -= df
                self._expansion_left -= df
        self._expansion_terms_left -= len(kept)
        if len(kept) < len(terms):
            self._note(f"{label} was expanded to {len(kept)} of {len(terms)} words (the query's budget)")
        return kept

    def _filter(
        self,
        plan: QueryPlan,
        source: str | list[str] | None,
        since: date | datetime | None,
        until: date | datetime | None,
    ) -> wq.Query | None:
        parts: list[wq.Query] = []
        sources = list(plan.source)
        if source:
            sources.extend([source] if isinstance(source, str) else source)
        if sources:
            parts.append(_union([wq.Term("source", s.strip().lower()) for s in sources]))
        for author in plan.author:
            words = [w for w in author.lower().replace(",", " ").split() if w]
            if words:
                parts.append(wq.And([wq.Term("author", w) for w in words]))
        lo = since if since is not None else plan.since
        hi = until if until is not None else plan.until
        if lo is not None or hi is not None:
            # Day granularity: a datetime bound filters by its calendar day.
            parts.append(period_query(self.reader, _as_date(lo), _as_date(hi)))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)


@lru_cache(maxsize=65_536)
def _synonym_term(chain: AnalysisChain, word: str) -> str | None:
    """A synonym's index term: its lemma, as the chain makes it (``None``: not one word)."""
    toks = [t for t in chain.analyze(word, query=True) if not t.is_stop]
    return toks[0].lemma if len(toks) == 1 else None
