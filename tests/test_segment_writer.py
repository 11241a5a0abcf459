"""Oracle tests for the faster postings path (newsindex.index.segment_writer).

Whoosh's own segment writer is the oracle: for the same German news paragraphs
the fast path must write byte-identical segment files, and everything Whoosh's
reader reads back (every term's postings with weights, positions and character
offsets, term statistics, field lengths, stored fields) must be equal, also
through NewsIndex with worker processes, merges and deletions.

The fast path pickles a block's data and a document's stored fields with protocol 4
where Whoosh uses 2 (``block_codec.unframed_pickle``): the byte comparisons run
Whoosh's writer with those two pickle calls replaced (:func:`whoosh_pickles_as_newsindex`);
the read-back comparisons run stock Whoosh.
"""

from __future__ import annotations

import gzip
import json
import pickle
import pickletools
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import columns as whoosh_columns
from whoosh import fields
from whoosh import index as whoosh_index
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, W3Codec
from whoosh.filedb.filestore import RamStorage
from whoosh.formats import Characters, Frequency, Positions
from whoosh.system import pack_uint

from newsindex import NewsIndex
from newsindex.analysis.config import AnalysisConfig
from newsindex.article import Article
from newsindex.index import block_codec, segment_writer, writing
from newsindex.index.documents import paragraph_documents
from newsindex.index.schema import build_schema
from newsindex.index.segment_writer import ENV_SWITCH, TermPool, install
from newsindex.index.vocabulary import VOCAB_EXT, SegmentVocabulary

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
WIKINEWS = CORPORA / "wikinews_de_1000" / "articles.jsonl.gz"
pytestmark = pytest.mark.skipif(not WIKINEWS.is_file(), reason="../shared/corpora is not beside the repo")


def _articles(n: int, skip: int = 0) -> list[Article]:
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in islice(fh, skip, skip + n)]
    return [
        Article(id=r["id"], title=r.get("title") or "", paragraphs=tuple(r["paragraphs"]), source="wikinews")
        for r in rows
        if r.get("paragraphs")
    ]


@contextmanager
def whoosh_pickles_as_newsindex() -> Iterator[None]:
    """Whoosh's writer, the oracle, with its posting blocks' data and its documents' stored
    fields pickled by ``block_codec.unframed_pickle`` (the two pickles newsindex writes
    differently on purpose); its block infos (6-tuples) and everything else as before."""
    stock = whoosh3.dumps
    stock_columns = whoosh_columns.dumps

    def dumps(obj: Any, protocol: int | None = None) -> bytes:
        if isinstance(obj, tuple) and len(obj) == 3:  # _write_block's (ids, weights, values)
            return block_codec.unframed_pickle(obj)
        return stock(obj, protocol)

    def column_dumps(obj: Any, protocol: int | None = None) -> bytes:
        if isinstance(obj, dict):  # the stored fields (PickleColumn.Writer.add)
            return block_codec.unframed_pickle(obj)
        return stock_columns(obj, protocol)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(whoosh3, "dumps", dumps)
        mp.setattr(whoosh_columns, "dumps", column_dumps)
        yield


def _documents(articles: list[Article]) -> Iterator[dict[str, Any]]:
    for a in articles:
        yield from paragraph_documents(a, a.content_hash())


def _segment_files(folder: Path) -> dict[str, bytes]:
    """The segment files by extension (their names carry a random segment id)."""
    out = {}
    for f in folder.iterdir():
        if f.name.startswith("paragraphs_") and "." in f.name:
            ext = f.name.split(".", 1)[1]
            assert ext not in out, "one segment expected"
            out[ext] = f.read_bytes()
    return out


def _build(
    folder: Path, docs: list[dict[str, Any]], fast: bool, codec: W3Codec, stock: bool = False
) -> dict[str, bytes]:
    """Build one segment of ``docs``; Whoosh's writer (``fast=False``) pickles block data as
    newsindex does unless ``stock``."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(AnalysisConfig(lemmatizer="builtin")), "paragraphs")
    writer = ix.writer(codec=codec, compound=False)
    assert install(writer) is fast
    if fast:
        assert isinstance(writer.pool, TermPool)
    with nullcontext() if fast or stock else whoosh_pickles_as_newsindex():
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
    ix.close()
    return _segment_files(folder)


@pytest.mark.slow  # reads the shared corpora
@pytest.mark.parametrize(("blocklimit", "inlinelimit"), [(128, 1), (3, 1), (1, 1), (2, 0)])
def test_segment_files_are_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocklimit: int, inlinelimit: int
) -> None:
    # Small block limits put many terms on block boundaries (exactly full, one over).
    # (Whoosh cannot write inlined posting lists, inlinelimit > 1: W3TermInfo lacks set_inline.)
    docs = list(_documents(_articles(60)))
    assert len(docs) > 200
    monkeypatch.setenv(ENV_SWITCH, "0")
    slow = _build(tmp_path / "slow", docs, False, W3Codec(blocklimit=blocklimit, inlinelimit=inlinelimit))
    monkeypatch.setenv(ENV_SWITCH, "1")
    fast = _build(tmp_path / "fast", docs, True, W3Codec(blocklimit=blocklimit, inlinelimit=inlinelimit))
    # The fast path also writes the segment's typo/prefix sidecar (index.vocabulary):
    # exactly what reading the segment's body terms back gives.
    assert fast.pop(VOCAB_EXT) == _read_back_vocabulary(tmp_path / "slow")
    assert sorted(fast) == sorted(slow)
    assert {"trm", "pst"} <= set(fast)
    for ext in slow:
        assert fast[ext] == slow[ext], f"segment file .{ext} differs"


def _read_back_vocabulary(folder: Path) -> bytes:
    ix = whoosh_index.open_dir(str(folder), "paragraphs")
    try:
        with ix.reader() as reader:
            return SegmentVocabulary.from_reader(reader).dumps()
    finally:
        ix.close()


def _contents(path: Path) -> dict[str, Any]:
    """Everything Whoosh's reader reads from an index, keyed by doc id (not document number)."""
    ix = whoosh_index.open_dir(str(path), "paragraphs")
    out: dict[str, Any] = {}
    with ix.reader() as r:
        ids = {d: f["doc_id"] for d, f in r.iter_docs()}
        out["stored"] = {ids[d]: f for d, f in r.iter_docs()}
        schema = ix.schema
        for fieldname in r.indexed_field_names():
            if schema[fieldname].scorable:
                out[f"length:{fieldname}"] = {ids[d]: r.doc_field_length(d, fieldname) for d in ids}
            for term in r.lexicon(fieldname):
                info = r.term_info(fieldname, term)
                key = f"{fieldname}:{term!r}"
                out[key + ":info"] = (info.doc_frequency(), info.weight(), info.max_weight())
                m = r.postings(fieldname, term)
                rows = []
                while m.is_active():
                    rows.append((ids[m.id()], m.weight(), m.value()))
                    m.next()
                out[key] = sorted(rows)
    ix.close()
    return out


@pytest.mark.slow  # reads the shared corpora
@pytest.mark.parametrize("workers", [1, 2])
def test_news_index_reads_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # Three batches (the third merges small segments), updates, a deletion; with two
    # workers every batch is written by worker processes, each its own segment.
    monkeypatch.setattr(writing, "MIN_PARALLEL_BATCH", 50)
    first, second = _articles(70), _articles(40, skip=70)
    changed = [
        Article(id=a.id, title=a.title + " (aktualisiert)", paragraphs=a.paragraphs[::-1]) for a in first[:5]
    ]
    built = {}
    for fast in (False, True):
        monkeypatch.setenv(ENV_SWITCH, "1" if fast else "0")
        path = tmp_path / ("fast" if fast else "slow")
        with NewsIndex.create(path, analysis="builtin", workers=workers, batch_size=120) as ix:
            ix.add(first)
            ix.add(second)
            ix.add(changed)
            assert ix.delete(first[7].id)
        built[fast] = _contents(path)
    assert built[True].keys() == built[False].keys()
    for key, value in built[False].items():
        assert built[True][key] == value, key
    assert any(k.startswith("body:") for k in built[True])


def test_switch_off_keeps_whoosh_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SWITCH, "0")
    assert not segment_writer.enabled()
    path = tmp_path / "ix"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema(AnalysisConfig(lemmatizer="builtin")), "paragraphs")
    writer = ix.writer()
    assert not install(writer)
    assert not isinstance(writer.pool, TermPool)
    writer.cancel()
    ix.close()


@pytest.mark.parametrize(("batch_size", "fast"), [(500, True), (5_000, False)])
def test_large_batches_keep_whoosh_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int, fast: bool
) -> None:
    # The term pool never spills to disk: batches above the limit keep Whoosh's pool.
    monkeypatch.setenv(ENV_SWITCH, "1")
    monkeypatch.setattr(writing, "FAST_POSTINGS_MAX_BATCH", 1_000)
    with NewsIndex.create(tmp_path / "ix", analysis="builtin", workers=1, batch_size=batch_size) as ix:
        writer = ix._article_writer()._writer()
        try:
            assert isinstance(writer.pool, TermPool) is fast
        finally:
            writer.cancel()


# -- block_codec: the fused term writer and the value encoders, against Whoosh's own code --------
_FORMATS = {  # a format of every kind the schema's fields use
    "body": fields.TEXT(chars=True),  # Characters
    "stops": fields.TEXT(phrase=True),  # Positions
    "title": fields.TEXT(phrase=False),  # Frequency
    "period": fields.KEYWORD(),  # Existence
}
_Terms = list[tuple[bytes, tuple[list[int], list[float], list[bytes | None]]]]


def _value(fieldname: str, draw_positions: list[tuple[int, int, int]]) -> bytes:
    fmt = _FORMATS[fieldname].format
    if isinstance(fmt, Characters):
        return bytes(fmt.encode(draw_positions))
    if isinstance(fmt, Positions):
        return bytes(fmt.encode([p for p, _, _ in draw_positions]))
    if isinstance(fmt, Frequency):
        return bytes(pack_uint(len(draw_positions)))
    return b""  # Existence


def _write_field_files(
    fields_terms: list[tuple[str, _Terms]], lengths: list[int], codec: W3Codec, fast: bool
) -> dict[str, bytes]:
    """A segment's .trm and .pst for these fields' terms, through Whoosh's per-posting
    calls (the oracle) or through :func:`block_codec.write_terms`."""
    storage = RamStorage()
    segment = codec.new_segment(storage, "t")
    fw = codec.field_writer(storage, segment)
    with nullcontext() if fast else whoosh_pickles_as_newsindex():
        for fieldname, terms in fields_terms:
            fw.start_field(fieldname, _FORMATS[fieldname])
            if fast:
                assert block_codec.write_terms(fw, terms, lengths)
            else:
                for tbytes, (docs, weights, values) in terms:
                    fw.start_term(tbytes)
                    for doc, weight, value in zip(docs, weights, values, strict=True):
                        fw.add(doc, weight, value, lengths[doc])
                    fw.finish_term()
            fw.finish_field()
        fw.close()
    return {name.rsplit(".", 1)[1]: bytes(data) for name, data in storage.files.items()}


def _assert_same_files(fields_terms: list[tuple[str, _Terms]], lengths: list[int], codec: W3Codec) -> None:
    slow = _write_field_files(fields_terms, lengths, codec, fast=False)
    fast = _write_field_files(fields_terms, lengths, codec, fast=True)
    assert set(slow) == {"trm", "pst"} and fast.keys() == slow.keys()
    for ext in slow:
        assert fast[ext] == slow[ext], f".{ext} differs"


def _german_terms(fieldname: str, paragraphs: list[str]) -> _Terms:
    """Real postings: each term of the paragraphs' ``fieldname`` analysis, one document each."""
    analyzer = build_schema(AnalysisConfig(lemmatizer="builtin"))[
        fieldname if fieldname != "period" else "body"
    ].analyzer
    pool: dict[bytes, tuple[list[int], list[float], list[bytes | None]]] = {}
    for doc, text in enumerate(paragraphs):
        seen, weights = analyzer.index_terms(text, True, True)
        for term, occurrences in seen.items():
            postings = pool.setdefault(term.encode("utf-8"), ([], [], []))
            postings[0].append(doc)
            postings[1].append(weights[term])
            postings[2].append(_value(fieldname, occurrences))
    return sorted(pool.items())


@pytest.mark.slow  # reads the shared corpora
@pytest.mark.parametrize("blocklimit", [128, 5, 1])
def test_fused_term_writer_writes_whooshs_bytes_for_german_text(blocklimit: int) -> None:
    # Wikinews paragraphs: single-block terms, multi-block ones (function words, small limits),
    # compound parts (weights != 1), every format; field lengths from the documents.
    paragraphs = [p for a in _articles(100) for p in a.paragraphs]
    lengths = [len(p.split()) for p in paragraphs]
    fields_terms = [(name, _german_terms(name, paragraphs)) for name in ("body", "period", "stops", "title")]
    body = dict(fields_terms[0][1])
    stops = dict(fields_terms[2][1])
    assert any(len(docs) > 2 * 128 for docs, _, _ in stops.values()), (
        "terms of three blocks at the default limit"
    )
    assert any(w != 1.0 for _, ws, _ in body.values() for w in ws), "weights other than 1 (compound parts)"
    _assert_same_files(fields_terms, lengths, W3Codec(blocklimit=blocklimit))


def test_fused_term_writer_around_the_compression_threshold() -> None:
    # One posting whose value grows a byte at a time: its block's data pickle passes
    # COMPRESSION_MIN_SIZE (compressed from there on, stored raw below); and a two-posting term.
    sizes = set()
    for extra in range(80):
        value = b"x" * extra
        sizes.add(len(block_codec.unframed_pickle(((7,), None, (value,)))))
        terms: _Terms = [(b"wort", ([7], [1.0], [value])), (b"zeit", ([3, 7], [2.0, 1.0], [value, value]))]
        _assert_same_files([("body", terms)], [0] * 3 + [12] * 5, W3Codec())
    assert {COMPRESSION_MIN_SIZE - 1, COMPRESSION_MIN_SIZE, COMPRESSION_MIN_SIZE + 1} <= sizes


_BLOCK_DATA = st.tuples(
    st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=300).map(tuple),  # first id, then deltas
    # Weights are sums of boosts, never NaN (which no unpickled block could equal: NaN != NaN).
    st.one_of(
        st.none(),
        st.floats(width=32, allow_nan=False),
        st.lists(st.floats(width=32, allow_nan=False), max_size=300).map(tuple),
    ),
    st.one_of(
        st.none(),
        st.binary(max_size=300),  # fixed-size values, joined
        st.lists(st.binary(min_size=1, max_size=2_000), max_size=300).map(tuple),
    ),
)


@settings(max_examples=200, deadline=None)
@given(data=_BLOCK_DATA)
def test_block_data_unpickles_to_the_block(data: tuple[Any, Any, Any]) -> None:
    # What Whoosh's reader does with a block's data (pickle.loads), and Python's own unpickler;
    # values past 64 KB in all make the pickler frame them: only the first frame's header goes.
    pickled = block_codec.unframed_pickle(data)
    assert pickle.loads(pickled) == pickle._loads(pickled) == data  # type: ignore[attr-defined]
    ops = [op.name for op, _, _ in pickletools.genops(pickled)]
    assert ops[0] == "PROTO" and pickled[1] == block_codec.PICKLE_PROTOCOL
    if len(pickled) < 64 * 1024:
        assert "FRAME" not in ops
    assert "GLOBAL" not in ops and "STACK_GLOBAL" not in ops  # bytes as bytes: no _codecs.encode calls


@pytest.mark.slow  # reads the shared corpora
def test_postings_and_stored_fields_take_less_room_than_whooshs_and_read_the_same(tmp_path: Path) -> None:
    # Stock Whoosh (protocol 2 block data and stored fields) against the fast path (protocol 4),
    # same documents: Whoosh's own reader reads the same postings and stored fields from both;
    # the fast path's are smaller.
    docs = list(_documents(_articles(60)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_SWITCH, "0")
        stock = _build(tmp_path / "stock", docs, False, W3Codec(), stock=True)
        mp.setenv(ENV_SWITCH, "1")
        fast = _build(tmp_path / "fast", docs, True, W3Codec())
    assert len(fast["pst"]) < 0.7 * len(stock["pst"]), (len(fast["pst"]), len(stock["pst"]))
    stored = len(fast["_stored.col"]), len(stock["_stored.col"])
    assert stored[0] < 0.97 * stored[1], stored
    assert _contents(tmp_path / "fast") == _contents(tmp_path / "stock")


def _postings_strategy(
    fieldname: str, docs_max: int
) -> st.SearchStrategy[tuple[list[int], list[float], list[bytes | None]]]:
    weights = st.one_of(
        st.just(1.0),
        st.sampled_from([0.0, 0.5, 2.0, 1.0000000001, 0.3, -1.0]),
        st.floats(min_value=-4, max_value=1e6, allow_nan=False, width=64),
    )
    occurrence = st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 70_000), st.integers(0, 300)).map(
        lambda t: (t[0], t[1], t[1] + t[2])
    )

    @st.composite
    def postings(draw: Any) -> tuple[list[int], list[float], list[bytes | None]]:
        docs = sorted(draw(st.sets(st.integers(0, docs_max - 1), min_size=1, max_size=docs_max)))
        same = draw(st.booleans())
        w = draw(weights)
        ws = [w if same else draw(weights) for _ in docs]
        values: list[bytes | None] = [
            _value(fieldname, draw(st.lists(occurrence, min_size=1, max_size=4))) for _ in docs
        ]
        return docs, ws, values

    return postings()


@settings(max_examples=60, deadline=None)
@given(data=st.data(), blocklimit=st.sampled_from([1, 2, 3, 4, 128]))
def test_fused_term_writer_on_generated_postings(data: Any, blocklimit: int) -> None:
    # Term counts at and around the block limit, weights that float32 rounds (1.0000000001 -> 1.0),
    # zero and negative weights, lengths of 0 (unknown) and past the length byte's range.
    lengths = data.draw(st.lists(st.sampled_from([0, 1, 7, 250, 106_374, 200_000]), min_size=12, max_size=12))
    fields_terms = []
    for fieldname in data.draw(
        st.lists(st.sampled_from(sorted(_FORMATS)), min_size=1, max_size=4, unique=True)
    ):
        words = data.draw(st.lists(st.binary(min_size=1, max_size=6), min_size=1, max_size=6, unique=True))
        terms = [(w, data.draw(_postings_strategy(fieldname, len(lengths)))) for w in sorted(words)]
        fields_terms.append((fieldname, terms))
    try:
        slow = _write_field_files(fields_terms, lengths, W3Codec(blocklimit=blocklimit), fast=False)
    except TypeError:  # Whoosh's term info cannot take a block without lengths after one with
        with pytest.raises(TypeError):
            _write_field_files(fields_terms, lengths, W3Codec(blocklimit=blocklimit), fast=True)
        return
    fast = _write_field_files(fields_terms, lengths, W3Codec(blocklimit=blocklimit), fast=True)
    assert fast == slow


_OCCURRENCES = st.lists(
    st.tuples(
        st.one_of(st.integers(0, 300), st.integers(2**30, 2**30 + 300), st.integers(-(2**31), 2**32)),
        st.one_of(st.integers(0, 70_000), st.integers(-5, 2**31 + 5)),
        st.integers(-3, 70_000),
    ).map(lambda t: (t[0], t[1], t[1] + t[2])),
    min_size=1,
    max_size=260,
)


@settings(max_examples=300, deadline=None)
@given(occurrences=_OCCURRENCES)
def test_value_encoders_write_whooshs_bytes(occurrences: list[tuple[int, int, int]]) -> None:
    # Deltas of one and two bytes, the part lane's 2**30 (BININT), negative ones, past 32 bits
    # (Whoosh's encoder), and list lengths around where the written-out form stops (250).
    chars, positions = Characters(), Positions()
    assert block_codec.encode_characters(chars, occurrences) == chars.encode(occurrences)
    poslist = [p for p, _, _ in occurrences]
    assert block_codec.encode_positions(positions, poslist) == positions.encode(poslist)


@pytest.mark.parametrize("n", [1, 2, 249, 250, 251, 255, 256, 257, 1000, 1001])
def test_value_encoders_at_list_lengths(n: int) -> None:
    occurrences = [(i * 3 + (2**30 if i % 2 else 0), i * 7, i * 7 + 4) for i in range(n)]
    chars, positions = Characters(), Positions()
    assert block_codec.encode_characters(chars, occurrences) == chars.encode(occurrences)
    poslist = [p for p, _, _ in occurrences]
    assert block_codec.encode_positions(positions, poslist) == positions.encode(poslist)


@pytest.mark.parametrize("edge", [255, 256, 65535, 65536, 2**30, 2**31 - 1, 2**31])
def test_value_encoders_at_pickle_int_sizes(edge: int) -> None:
    # Where the pickle's int opcode changes: BININT1, BININT2, BININT, then Whoosh's encoder.
    chars, positions = Characters(), Positions()
    for occurrences in (
        [(edge, 0, 1)],
        [(0, edge, edge + 1)],
        [(0, 0, edge)],
        [(1, 2, 3), (edge, edge, edge)],
    ):
        assert block_codec.encode_characters(chars, occurrences) == chars.encode(occurrences)
        poslist = [p for p, _, _ in occurrences]
        assert block_codec.encode_positions(positions, poslist) == positions.encode(poslist)


@pytest.mark.slow  # reads the shared corpora
def test_value_encoders_on_german_text() -> None:
    schema = build_schema(AnalysisConfig(lemmatizer="builtin"))
    body, stops = schema["body"], schema["stops"]
    count = 0
    for article in _articles(30):
        for text in article.paragraphs:
            seen, _ = body.analyzer.index_terms(text, True, True)
            for occurrences in seen.values():
                assert block_codec.encode_characters(body.format, occurrences) == body.format.encode(
                    occurrences
                )
                count += 1
            seen, _ = stops.analyzer.index_terms(text, True, False)
            for poslist in seen.values():
                assert block_codec.encode_positions(stops.format, poslist) == stops.format.encode(poslist)
    assert count > 1000


@pytest.mark.slow  # reads the shared corpora
def test_segment_writer_takes_the_fused_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The byte-identity tests above are only worth something if the fast build used write_terms.
    calls: list[bool] = []
    original = block_codec.write_terms

    def spy(*args: Any) -> bool:
        calls.append(original(*args))
        return calls[-1]

    monkeypatch.setattr(segment_writer, "write_terms", spy)
    monkeypatch.setenv(ENV_SWITCH, "1")
    _build(tmp_path / "fast", list(_documents(_articles(5))), True, W3Codec())
    assert calls and all(calls)


def test_term_pool_notices_postings_out_of_order() -> None:
    pool = TermPool()
    pool.add(("body", b"wort", 3, 1.0, b""))
    pool.add(("body", b"zeit", 1, 1.0, b""))
    assert pool.ordered
    pool.add(("body", b"wort", 2, 1.0, b""))
    assert not pool.ordered
