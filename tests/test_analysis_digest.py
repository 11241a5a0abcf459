"""The analysis output is frozen: a digest of what the chain and the index analyzers make of
real Wikinews paragraphs, produced by the code before the speed work of issue 17.

Speed changes to the analysis chain, the Whoosh analyzer and the segment writer must not
change a single token: every lemma, part, stop flag, reading, stem, position and character
offset, and every posting value a field writes, is hashed per paragraph and compared with
``tests/data/analysis_digest.json``. Regenerate that file only for an intended change of the
analysis (with ``RULES_VERSION``): ``python -m tests.test_analysis_digest``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from newsindex.analysis.chain import AnalysisChain
from newsindex.analysis.config import AnalysisConfig
from newsindex.analysis.tokens import Token
from newsindex.index.schema import build_schema
from newsindex.index.segment_writer import _word_values

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
WIKINEWS = CORPORA / "wikinews_de_1000" / "articles.jsonl.gz"
FIXTURE = Path(__file__).resolve().parent / "data" / "analysis_digest.json"
N_ARTICLES = 70  # 332 titles and paragraphs
OTHER_CONFIG_TEXTS = 100  # the other configurations exercise their own code paths on fewer
pytestmark = pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")

CONFIGS: dict[str, dict[str, Any]] = {
    "default": {},
    "no-decompound": {"decompound": False},
    "no-lemmatize": {"lemmatize": False},
    "no-fold": {"fold": False},
}


def _texts(config: str = "default") -> list[str]:
    """Titles and paragraphs of the first Wikinews articles, in file order (the first
    :data:`OTHER_CONFIG_TEXTS` of them for the configurations other than the default)."""
    out: list[str] = []
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as fh:
        for line in islice(fh, N_ARTICLES):
            row = json.loads(line)
            if row.get("title"):
                out.append(row["title"])
            out.extend(p for p in row.get("paragraphs") or () if p)
    return out if config == "default" else out[:OTHER_CONFIG_TEXTS]


def _token_row(t: Token) -> list[Any]:
    return [
        t.text,
        t.start,
        t.end,
        t.position,
        t.lemma,
        list(t.parts),
        t.is_stop,
        list(t.alternatives),
        t.stem,
    ]


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _field_rows(schema: Any, text: str) -> dict[str, Any]:
    """Each analysed field's Whoosh token stream and the postings it writes."""
    rows: dict[str, Any] = {}
    for name in ("body", "stops", "title", "stems"):
        if name not in schema:
            continue
        field = schema[name]
        stream = [
            [t.text, t.pos, t.startchar, t.endchar, t.boost]
            for t in field.analyzer(text, positions=True, chars=True, boosts=True, mode="index")
            if not t.stopped
        ]
        postings = [[b.decode("utf-8"), n, w, v.hex()] for b, n, w, v in _word_values(field, text)]
        rows[name] = [stream, postings]
    return rows


def digests(how: str = "analyze") -> dict[str, list[str]]:
    """Per configuration, one digest per text: ``analyze`` one by one, ``prime`` in one batch,
    ``query`` (query mode) or ``fields`` (the schema's analyzers and postings)."""
    out: dict[str, list[str]] = {}
    for name, options in CONFIGS.items():
        texts = _texts(name)
        config = AnalysisConfig(**options)
        chain = AnalysisChain(config)
        if how == "prime":
            chain.prime(texts)
            out[name] = [_digest([_token_row(t) for t in chain.analyze(x)]) for x in texts]
        elif how == "query":
            out[name] = [_digest([_token_row(t) for t in chain.analyze(x, query=True)]) for x in texts]
        elif how == "fields":
            schema = build_schema(config)
            out[name] = [_digest(_field_rows(schema, x)) for x in texts]
        else:
            out[name] = [_digest([_token_row(t) for t in chain.analyze(x)]) for x in texts]
    return out


def _fixture() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _mismatches(got: dict[str, list[str]], want: dict[str, list[str]]) -> Iterator[str]:
    for name, expected in want.items():
        texts = _texts(name)
        assert len(got[name]) == len(expected), name
        for k, (a, b) in enumerate(zip(got[name], expected, strict=True)):
            if a != b:
                yield f"{name} text {k}: {texts[k][:60]!r}"


def test_fixture_covers_a_few_hundred_texts() -> None:
    fixture = _fixture()
    assert len(_texts()) >= 300
    assert set(fixture) == {"analyze", "prime", "query", "fields"}
    assert all(len(v) == len(_texts(name)) for d in fixture.values() for name, v in d.items())


@pytest.mark.parametrize("how", ["analyze", "prime", "query", "fields"])
def test_analysis_output_is_unchanged(how: str) -> None:
    bad = list(_mismatches(digests(how), _fixture()[how]))
    assert not bad, f"{len(bad)} texts analyse differently, e.g. {bad[:5]}"


if __name__ == "__main__":  # regenerate the fixture (an intended analysis change only)
    FIXTURE.write_text(
        json.dumps({how: digests(how) for how in ("analyze", "prime", "query", "fields")}, indent=0) + "\n",
        encoding="utf-8",
    )
