"""The build's memory (issue 17): what grows with the corpus or the index.

spaCy keeps every string and lexeme it meets (on all of adl 255,000 strings in one
process, ~90 MB, in the build's process and in each of its workers). The chain reads
spaCy's tokens inside a memory zone (``LemmaBackend.spans``/``lemma_spans``) and keeps
only plain Python values, so the vocabulary stays as loaded while the output stays
exactly what it was. And the writer's look-up of a batch's stored articles no longer
copies every segment's files into memory (~500 MB at each batch on all of adl).
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
import spacy

from newsindex import NewsIndex
from newsindex.analysis import lemmatizers
from newsindex.analysis.chain import AnalysisChain
from newsindex.analysis.config import AnalysisConfig
from newsindex.article import Article

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
WIKINEWS = CORPORA / "wikinews_de_1000" / "articles.jsonl.gz"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Titles and paragraphs of 150 Wikinews articles (real German news, ~600 texts)."""
    if not WIKINEWS.is_file():
        pytest.skip("../shared/corpora is not beside the repository")
    out: list[str] = []
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as f:
        for line in islice(f, 150):
            article = json.loads(line)
            out.extend(t for t in [article["title"], *article["paragraphs"]] if t.strip())
    return out


def _strings(chain: AnalysisChain) -> Any:
    return chain.backend.nlp.vocab.strings


def _long_words(texts: list[str]) -> list[str]:
    """Words long enough to be no string spaCy knows before reading them."""
    return sorted({w for t in texts for w in re.findall(r"\w{14,}", t)})


def test_spacys_strings_stay_bounded_and_go_when_released(
    texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A memory zone serves calls until spaCy has added ``ZONE_STRINGS`` strings in it;
    the next call closes it (freeing them) and opens another; ``release`` closes it."""
    monkeypatch.setattr(lemmatizers, "ZONE_STRINGS", 300, raising=False)
    chain = AnalysisChain()
    chain.rows("Ein erster Satz.")  # loads the pipeline and the chunk cache's patterns
    backend = chain.backend
    other = spacy.blank("de")  # its own vocabulary
    most = max(len(other.make_doc(t)) for t in texts)  # the most tokens one call can add
    release = getattr(backend, "release", lambda: None)  # (none before zones: the test fails below)
    release()
    strings = _strings(chain)
    before = len(strings)
    words = _long_words(texts)
    known = [w for w in words if w in strings]  # from spaCy's own rules ("beziehungsweise")
    assert len(words) > 300 and len(known) < 10
    grown: list[int] = []

    def note() -> None:
        grown.append(len(strings) - before)

    for text in texts:
        chain.rows(text)
        note()
    chain.prime(texts[::3])
    note()
    for text in texts[:50]:
        chain.rows(text, query=True)  # the search path tokenises every query anew
        note()
    chain.analyze_many(texts[-20:])
    note()
    assert max(grown) < 300 + 2 * most < 1000
    assert any(later < earlier for earlier, later in itertools.pairwise(grown))  # zones closed
    release()
    assert len(strings) == before
    assert [w for w in words if w in strings] == known


def test_output_equals_a_fresh_chains_in_any_order(texts: list[str]) -> None:
    """The warm chain (caches built over all texts, spaCy's lexemes freed after every
    call) and a fresh chain reading the texts in reverse make the same rows, and both
    equal spaCy's whole-text analysis."""
    warm = AnalysisChain()
    for text in texts:
        warm.rows(text)
    fresh = AnalysisChain()
    expected = {text: fresh.rows(text) for text in reversed(texts)}
    for text in texts:
        assert warm.rows(text) == expected[text], text
        assert warm._whole_text_rows(text) == expected[text], text
    for text in texts[:40]:
        assert warm.rows(text, query=True) == fresh.rows(text, query=True), text


def _plain(value: object) -> Iterator[object]:
    """Every value nested in ``value`` (tuples, lists and dicts opened)."""
    yield value
    if isinstance(value, tuple | list):
        for item in value:
            yield from _plain(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _plain(key)
            yield from _plain(item)


def test_the_chains_caches_hold_plain_python_values_only(texts: list[str]) -> None:
    """Nothing the chain keeps may refer to a spaCy object from a memory zone."""
    chain = AnalysisChain()
    for text in texts[:200]:
        chain.rows(text)
    chunks = chain._chunks
    assert chunks is not None and len(chunks) > 1000
    kept = [chain._words, chain._surfaces, chunks._cache, chain._texts]
    kinds = {type(v) for v in _plain(kept)}
    assert kinds <= {str, int, bool, tuple, list, dict, type(chain._texts)}, kinds


@pytest.fixture(scope="module")
def pipeline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A trained-pipeline stand-in: German tokenizer rules plus lemmas by rule."""
    nlp = spacy.blank("de")
    nlp.meta["name"] = "newsindex_memory_test"
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "krieg"}], [{"LOWER": "kriege"}]], {"LEMMA": "Konflikt"})
    path = tmp_path_factory.mktemp("pipelines") / "de_newsindex_memory_test"
    nlp.to_disk(path)
    return path


def test_a_trained_pipeline_keeps_its_lemmas_and_no_strings(pipeline_dir: Path, texts: list[str]) -> None:
    chain = AnalysisChain(AnalysisConfig(lemmatizer=str(pipeline_dir)))
    assert not chain.backend.context_free
    chain.rows("Ein erster Satz.")
    release = getattr(chain.backend, "release", lambda: None)  # (none before zones: the test fails below)
    release()
    strings = _strings(chain)
    before = len(strings)
    known = [w for w in _long_words(texts) if w in strings]
    batch = chain.analyze_many(texts)
    chain.prime(texts[:30])
    for text in texts[:30]:
        chain.rows(text, query=True)
    release()
    assert len(strings) == before
    assert [w for w in _long_words(texts) if w in strings] == known
    # The lemmas spaCy's pipeline gives are read before its zone closes.
    assert [t.lemma for t in chain.analyze("Die Kriege dauern an.") if t.text == "Kriege"] == ["konflikt"]
    fresh = AnalysisChain(AnalysisConfig(lemmatizer=str(pipeline_dir)))
    assert [fresh.analyze(t) for t in texts] == batch


def test_the_writers_look_up_reads_segments_without_copying_them(
    tmp_path: Path, texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoosh's reader over a mapping storage copies each compound sub-file it opens
    (``BufferFile``: a ``BytesIO`` of the map's slice), so the writer's look-up of a
    batch's article ids held a copy of every segment's terms and postings. It now
    reads them in place, with the same answers."""
    from whoosh.filedb import compound

    articles = [
        Article.create(title=texts[i], paragraphs=texts[i + 1 : i + 4], source="wikinews")
        for i in range(0, 120, 4)
    ]
    with NewsIndex.create(tmp_path / "ix", workers=1, batch_size=10) as ix:
        ix.add(articles)  # three batches: three segments (or a merged one)
        writer = ix._article_writer()
        changed = Article.create(title=texts[0], paragraphs=["Ein geänderter Absatz."], source="wikinews")
        batch = {a.id: a for a in [*articles[:5], changed]}
        hashes = {aid: a.content_hash() for aid, a in batch.items()}
        copied: list[str] = []
        real = compound.BufferFile.__init__

        def recording(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
            if not str(name).endswith(".toc"):  # the checked table of contents is kept in memory
                copied.append(str(name))
            real(self, buf, name=name, onclose=onclose)

        monkeypatch.setattr(compound.BufferFile, "__init__", recording)
        stored, todo = writer._decide(batch, hashes)
        assert copied == []
        monkeypatch.undo()
        with ix._ix.searcher() as s:  # a searcher, built as every search builds one, agrees
            from newsindex.index.documents import stored_hash

            assert stored == {aid: stored_hash(s, aid) for aid in batch}
        assert all(stored[a.id] == hashes[a.id] for a in articles[1:5])  # [0]: changed (same id)
        assert [a.id for a in todo] == [changed.id] and stored[changed.id] is not None
