"""The one sanitiser for text on its way to a terminal.

Everything newsindex prints that came from data (titles, ids, paragraphs, file
names, sources) or from another process (a lock holder's command line from
``/proc``) passes through :func:`terminal_safe` first. A terminal acts on control
characters: ``ESC ] 0 ; … BEL`` sets its title, ``ESC [ 2 J`` clears the screen,
and the one-character C1 forms (U+009B CSI, U+009D OSC) do the same on many
terminals. Bidi overrides (U+202E) reorder what follows so a line reads other
than it is, and line separators break "one line per message". Those characters
are shown as visible escapes (``\\x1b``, ``\\u202e``) instead; lone surrogates,
which no terminal encoding can carry, likewise.

It lives outside ``interfaces`` so the library's own ANSI snippets use it too.

Rich markup is a second channel: ``console.print("… [bold]…")`` interprets
brackets. Renderers build ``rich.text.Text`` objects (never markup) from
sanitised strings; :func:`markup_safe` is for the rare markup string.
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE_CHARS", "markup_safe", "terminal_safe", "utf8_safe"]

# C0 controls (but tab and newline, decided per call), DEL, C1 controls, the
# Arabic letter mark, LRM/RLM, bidi embeddings/overrides U+202A–E and isolates
# U+2066–9, line and paragraph separators, and lone surrogates.
UNSAFE_CHARS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
_UNSAFE_ONE_LINE = re.compile(f"[\t\n{UNSAFE_CHARS}]")
_UNSAFE_MULTILINE = re.compile(f"[{UNSAFE_CHARS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: object, *, multiline: bool = False) -> str:
    """``str(text)`` with every character a terminal would act on shown as an escape.

    ``multiline`` keeps newlines and tabs (paragraph text); otherwise they are
    escaped too, so a message stays one line. Plain text is returned unchanged.

    >>> terminal_safe("Titel\\x1b]0;pwned\\x07 \\u202eevil")
    'Titel\\\\x1b]0;pwned\\\\x07 \\\\u202eevil'
    """
    s = text if isinstance(text, str) else str(text)
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE_ONE_LINE
    if pattern.search(s) is None:  # the common case: nothing to do
        return s
    return pattern.sub(_escape, s)


def markup_safe(text: object) -> str:
    """:func:`terminal_safe` text with rich markup escaped, for a markup string."""
    from rich.markup import escape

    return escape(terminal_safe(text))


def utf8_safe(text: str) -> str:
    """``text`` with lone surrogates (unencodable as UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text
