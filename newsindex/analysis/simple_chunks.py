"""spaCy's tokens of the commonest new chunks without spaCy: a word alone (``Bundesrat``)
or a word and one suffix character (``Bundesrat,``), worked out with the tokenizer's own
rules (:class:`SimpleChunks`). :mod:`.chunks` asks spaCy for every other new chunk.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .lemmatizers import LemmaBackend

__all__ = ["SimpleChunks", "simple_chunks"]

_NEVER = re.compile(r"(?!)")
# SimpleChunks reads the tokenizer's patterns after this many chunks (see its __init__).
_READ_RULES_AFTER = 5_000


def _may_match_letters(search: Any) -> bool:
    """False only when the regular expression behind ``search`` (a compiled pattern's
    bound method) can match nowhere in a text of letters alone (``str.isalpha``);
    True for anything else, or when unsure.

    Each alternative is walked as ``re`` parsed it: one that must consume a character
    no letter is (``,``, ``.``, a digit) or must see one in a lookaround (``(?<=[0-9])``)
    cannot match among letters. Anything this does not know (a category such as
    ``\\w``, a negated set, case-insensitive matching) counts as a possible match.
    """
    pattern = getattr(search, "__self__", None)
    if not isinstance(pattern, re.Pattern) or pattern.flags & re.IGNORECASE:
        return True
    try:
        from re import _parser  # type: ignore[attr-defined]

        return _letters_fit(_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # another re implementation: no claim
        return True


def _letters_fit(items: Any) -> bool:
    """Whether the parsed sequence ``items`` may match in a text of letters (conservative)."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in items:
        if op is c.LITERAL:
            fits = chr(av).isalpha()
        elif op is c.IN:
            fits = any(_set_item_fits(c, kind, value) for kind, value in av)
        elif op is c.BRANCH:
            fits = any(_letters_fit(branch) for branch in av[1])
        elif op is c.SUBPATTERN:
            fits = bool(av[1] & re.IGNORECASE) or _letters_fit(av[3])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            fits = av[0] == 0 or _letters_fit(av[2])
        elif op is c.ASSERT:
            fits = _letters_fit(av[1])
        else:  # AT, ASSERT_NOT, ANY, NOT_LITERAL, ...: zero-width, or may take a letter
            fits = True
        if not fits:
            return False
    return True


def _set_item_fits(c: Any, kind: Any, value: Any) -> bool:
    """Whether one item of a character set may be a letter (conservative)."""
    if kind is c.LITERAL:
        return chr(value).isalpha()
    if kind is c.RANGE:
        low, high = value
        return any(chr(code).isalpha() for code in range(low, high + 1))
    return True  # NEGATE, CATEGORY (\w, \d ...): assume it may


class SimpleChunks:
    """spaCy's tokens of the commonest new chunks worked out without spaCy: a word alone
    (``Bundesrat``) or a word and one suffix character (``Bundesrat,``).

    :meth:`lengths` follows spaCy's ``Tokenizer._split_affixes`` and ``_attach_tokens``
    step by step, with the tokenizer's own rules and regular expressions, for exactly
    these two shapes, and answers ``None`` (ask spaCy) wherever a step could go another
    way: a special case, a prefix, a longer suffix, an infix. Lexemes, a Doc and the
    vocabulary's strings are what spaCy would add on top, and the chunk cache reads
    only token offsets. A two-token answer cannot meet a special-case pattern inside
    the chunk either: a pattern is its rule's text split by affix rules, so it matches
    the word and the suffix only where the chunk is that rule's text, which is refused
    (as is a word or suffix that is a rule's text: a one-token pattern would match it).
    """

    def __init__(self, tokenizer: Any) -> None:
        self._rules = frozenset(tokenizer.rules)
        self._token_match = tokenizer.token_match
        self._url_match = tokenizer.url_match
        never = _NEVER.search  # spaCy treats a missing rule as one that never matches
        self._prefix = tokenizer.prefix_search or never
        self._suffix = tokenizer.suffix_search or never
        self._infixes = tokenizer.infix_finditer
        # Most new chunks are words of letters alone, where spaCy's German affix and URL
        # rules (punctuation, units after digits, a dot in a host name) cannot match:
        # searching them cost ~12 of a new chunk's ~75 µs. Skipped there when the rules'
        # patterns say so (each search on its own, or all of them at once); the patterns
        # are read (~50 ms) once this has answered _READ_RULES_AFTER chunks, so that a
        # search's snippets (a few hundred new chunks) do not wait for it.
        self._letter_suffixes = self._letter_infixes = True
        self._letters_whole = False
        self._answered = 0

    def read_rules(self) -> None:
        """Find out which of the tokenizer's rules may match a word of letters alone
        (:meth:`lengths` skips the others for such words from then on)."""
        suffixes = _may_match_letters(self._suffix)
        infixes = self._infixes is not None and _may_match_letters(self._infixes)
        whole = not (
            suffixes
            or infixes
            or _may_match_letters(self._prefix)
            or (self._url_match is not None and _may_match_letters(self._url_match))
        )
        self._letter_suffixes, self._letter_infixes, self._letters_whole = suffixes, infixes, whole

    def _whole(self, word: str) -> bool:
        """``word``, reached by ``_attach_tokens`` with no special case, is one token."""
        if (self._token_match is not None and self._token_match(word)) or (
            self._url_match is not None and self._url_match(word)
        ):
            return True
        if self._infixes is not None and (self._letter_infixes or not word.isalpha()):
            for _ in self._infixes(word):
                return False
        return True

    def lengths(self, chunk: str) -> tuple[int, ...] | None:
        """The lengths of spaCy's tokens of ``chunk`` (one or two), or ``None``: ask spaCy."""
        self._answered += 1
        if self._answered == _READ_RULES_AFTER:  # (another thread may read them too: the same)
            self.read_rules()
        rules = self._rules
        if chunk in rules:
            return None
        token_match = self._token_match
        if token_match is not None and token_match(chunk):
            return (len(chunk),)  # _split_affixes stops at once; _attach_tokens keeps it whole
        if self._letters_whole and chunk.isalpha():
            return (len(chunk),)  # no prefix, suffix, URL or infix rule matches letters alone
        # spaCy's find_prefix and find_suffix: the match's length (an empty match is none).
        match = self._prefix(chunk)
        if match is not None and match.end() != match.start():
            return None
        match = self._suffix(chunk) if self._letter_suffixes or not chunk.isalpha() else None
        if match is None or match.end() == match.start():
            return (len(chunk),) if self._whole(chunk) else None
        word = chunk[:-1]
        if match.end() - match.start() != 1 or not word or word in rules or chunk[-1] in rules:
            return None
        # The second round of _split_affixes, on the word without its suffix.
        if token_match is not None and token_match(word):
            return (len(word), 1)
        if self._letters_whole and word.isalpha():
            return (len(word), 1)
        match = self._prefix(word)
        if match is not None and match.end() != match.start():
            return None
        match = self._suffix(word) if self._letter_suffixes or not word.isalpha() else None
        if match is not None and match.end() != match.start():
            return None
        return (len(word), 1) if self._whole(word) else None


def simple_chunks(backend: LemmaBackend) -> SimpleChunks | None:
    """:class:`SimpleChunks` for ``backend``'s tokenizer, or ``None`` when it is not
    spaCy's rule-based tokenizer (then spaCy tokenises every new chunk)."""
    with backend.exclusive() as nlp:
        tokenizer: Any = nlp.tokenizer
        try:
            return SimpleChunks(tokenizer)
        except (AttributeError, TypeError):
            return None
