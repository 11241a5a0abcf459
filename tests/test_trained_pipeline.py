"""The trained-pipeline path, exercised with a real spaCy pipeline saved to disk.

``de_core_news_sm`` cannot be installed on CI, so the test builds its own
pipeline: German tokenizer rules plus an ``attribute_ruler`` that assigns
lemmas (a context-dependent lemmatizer stand-in the built-in would not know).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from newsindex import AnalysisConfig, AnalysisUnavailableError, NewsIndex, analysis_info, analyze
from newsindex.article import Article


@pytest.fixture(scope="module")
def pipeline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nlp = spacy.blank("de")
    nlp.meta["name"] = "newsindex_test"
    nlp.meta["version"] = "0.0.1"
    ruler = nlp.add_pipe("attribute_ruler")
    # Lemmas the built-in lemmatizer would never give, so the test proves which path ran.
    ruler.add([[{"LOWER": "krieg"}], [{"LOWER": "kriege"}]], {"LEMMA": "Konflikt"})
    ruler.add([[{"LOWER": "venezuela"}]], {"LEMMA": "Bolivarische Republik"})
    path = tmp_path_factory.mktemp("pipelines") / "de_newsindex_test"
    nlp.to_disk(path)
    return path


def test_trained_pipeline_lemmas_are_used(pipeline_dir: Path) -> None:
    config = AnalysisConfig(lemmatizer=str(pipeline_dir))
    toks = analyze("Die Kriege in Venezuela", config)
    assert [t.lemma for t in toks if not t.is_stop] == ["konflikt", "bolivarische republik"]
    # Words the pipeline gives no lemma for fall back to their surface form.
    assert analyze("Drogenkartelle", config)[0].parts == ("droge", "kartell")


def test_analysis_info_reports_the_trained_pipeline(pipeline_dir: Path) -> None:
    info = analysis_info(AnalysisConfig(lemmatizer=str(pipeline_dir)))
    assert info.uses_trained_pipeline
    assert info.lemmatizer_version == "de_newsindex_test 0.0.1"
    assert "trained spaCy pipeline" in info.describe()


def test_index_records_its_pipeline_and_refuses_to_open_without_it(
    pipeline_dir: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "pipeline"
    shutil.copytree(pipeline_dir, copy)
    where = tmp_path / "index"
    with NewsIndex.create(where, analysis=str(copy)) as ix:
        ix.add([Article.create(title="Lage", paragraphs=["Die Kriege in der Karibik."], source="Test")])
        assert [h.marked_words for h in ix.search("Konflikt")] == [["Kriege"]]
    with NewsIndex.open(where) as ix:
        assert ix.analysis.lemmatizer == str(copy)
        assert len(ix.search("Krieg").hits) == 1
    shutil.rmtree(copy)
    with pytest.raises(AnalysisUnavailableError, match=r"not installed|not available"):
        NewsIndex.open(where)


def test_missing_model_is_a_clear_error() -> None:
    with pytest.raises(AnalysisUnavailableError, match=r"python -m spacy download de_core_news_sm"):
        analysis_info(AnalysisConfig(lemmatizer="de_core_news_sm"))


def test_the_next_batch_is_primed_half_whole_with_a_trained_pipeline(pipeline_dir: Path) -> None:
    """Where context matters (no chunk cache) the writer's primer analyses half of the next
    batch's texts whole and keeps their rows; the built-in lemmatizer's learns every chunk."""
    from newsindex.analysis import get_chain
    from newsindex.index.prefetch import Primer

    articles = [
        Article.create(title=f"Lage {k}", paragraphs=[f"Die Kriege in Venezuela, Tag {k}."], source="Test")
        for k in range(4)
    ]
    trained = AnalysisConfig(lemmatizer=str(pipeline_dir))
    primer = Primer(articles, trained)
    assert not primer.learn
    assert primer.texts == [t for a in articles[::2] for t in (*a.paragraphs, a.title)]
    primer.run()
    chain = get_chain(trained)
    assert set(chain._primed) == set(primer.texts)
    assert chain._primed[articles[0].paragraphs[0]] == chain._rows(
        articles[0].paragraphs[0], chain._tokens([articles[0].paragraphs[0]])[0], query=False
    )
    chain.forget_primed()
    builtin = Primer(articles, AnalysisConfig())
    assert builtin.learn
    assert builtin.texts == [t for a in articles for t in (*a.paragraphs, a.title)]
