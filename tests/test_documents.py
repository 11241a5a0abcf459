"""Article ↔ Whoosh documents: the mapping the writer, the engine, check and repair share."""

from __future__ import annotations

from pathlib import Path

from newsindex import NewsIndex
from newsindex.index.documents import article_from_documents, article_of, doc_id, paragraph_documents
from newsindex.ingest import read_all

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_doc_ids_name_their_article_even_with_hashes_in_it() -> None:
    for article_id in ("urn:wikinews:4711", "https://example.de/artikel#kommentare", "#"):
        assert article_of(doc_id(article_id, 12)) == article_id


def test_documents_read_back_into_the_article() -> None:
    articles, _ = read_all(SEEDS)
    assert len(articles) == 2
    for article in articles:
        docs = list(paragraph_documents(article, article.content_hash()))
        assert [d["doc_id"] for d in docs] == [doc_id(article.id, i) for i in range(len(article.paragraphs))]
        back = article_from_documents(article.id, reversed(docs))  # any order
        assert back is not None
        assert back.paragraphs == article.paragraphs
        assert back.published == article.published  # a day comes back a day, not a midnight datetime
        assert type(back.published) is type(article.published)
        assert (back.id, back.title, back.source, back.author, back.url) == (
            article.id,
            article.title,
            article.source,
            article.author,
            article.url,
        )
    assert article_from_documents("fehlt", []) is None


def test_the_engine_reads_articles_back_the_same_way(seed_index: NewsIndex) -> None:
    """What ``NewsIndex.article`` returns is what the shared mapping makes of the stored fields."""
    searcher = seed_index._ix.searcher()
    try:
        ids = {searcher.stored_fields(n)["article_id"] for n in range(searcher.doc_count_all())}
        assert len(ids) == 2
        for article_id in ids:
            stored = [searcher.stored_fields(n) for n in searcher.document_numbers(article_id=article_id)]
            assert seed_index.article(article_id) == article_from_documents(article_id, stored)
    finally:
        searcher.close()
