"""The learned reference parser: normalisation rules, confidences, the corpus and training."""

from __future__ import annotations

import json

import pytest

from ingest import reference_crf
from ingest.reference_dicts import journal_abbreviation
from ingest.reference_fields import parse_reference
from ingest.reference_normalise import authors_of, clean_text, issue_of, name_parts, pages_of
from ingest.reflist import _parse
from ingest.types import IngestError
from kb.parser import convert, corpus
from kb.parser.train import train


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Smith JA", ("Smith", "JA")),
        ("Smith, J. A.", ("Smith", "J. A.")),
        ("J. A. Smith", ("Smith", "J. A.")),
        ("John De Simone", ("De Simone", "John")),
        ("van der Woude CJ", ("van der Woude", "CJ")),
        ("World Health Organization", ("World Health Organization", "")),
    ],
)
def test_name_parts(name: str, parts: tuple[str, str]) -> None:
    assert name_parts(name) == parts


def test_authors_drop_et_al_and_keep_group_authors() -> None:
    assert authors_of("Cree BA, Kornyeyeva E, Goodin DS, et al.") == [
        "Cree BA",
        "Kornyeyeva E",
        "Goodin DS",
    ]
    assert authors_of("Smith, J. A., & Lee, K.") == ["Smith, J. A.", "Lee, K."]
    assert authors_of("Society for Experimental Biology and Medicine.") == [
        "Society for Experimental Biology and Medicine"
    ]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("333-7.", ("333-337", None)),
        ("pp. 1309–34", ("1309-1334", None)),
        ("e0212460.", (None, "e0212460")),
        ("8429", (None, "8429")),
        ("no pages", (None, None)),
    ],
)
def test_pages(text: str, want: tuple) -> None:
    assert pages_of(text) == want


def test_issue_and_title_cleaning() -> None:
    assert issue_of("(Suppl 2).") == "Suppl 2"
    assert issue_of("no. 4,") == "4"
    assert clean_text('"Is it?" - The story.') == "Is it? - The story"
    assert clean_text("In: Proceedings of X,", container=True) == "Proceedings of X"
    assert clean_text("In vitro study.") == "In vitro study"


def test_journal_abbreviation_from_the_list() -> None:
    assert journal_abbreviation("New England Journal of Medicine") == "N Engl J Med"
    assert journal_abbreviation("N Engl J Med") == "N Engl J Med"
    assert journal_abbreviation("Journal of Nothing Real") is None


def test_parse_gives_structured_names_abbreviation_and_confidence() -> None:
    f = parse_reference(
        "Cree BA, Kornyeyeva E, Goodin DS. Pilot trial of low-dose naltrexone and quality of "
        "life in multiple sclerosis. Ann Neurol. 2010 Aug;68(2):145-50. doi: 10.1002/ana.22006."
    )
    assert f.author_names[0] == ["Cree", "BA"] and f.journal_abbrev == "Ann Neurol"
    assert f.pages == "145-150" and f.year == 2010
    assert set(f.confidence) == {"authors", "title", "journal", "year", "volume", "issue", "pages"}
    assert all(v > 0.8 for v in f.confidence.values()) and f.uncertain == {}


def test_a_fragment_is_confidently_without_authors_and_title() -> None:
    f = parse_reference("2021 Aug; 22(16): 8429. Published online 2021 Aug 5.")
    assert f.authors == [] and f.title is None
    assert f.confidence["authors"] > 0.8 and f.confidence["title"] > 0.8


def test_a_parser_bug_fails_the_article_not_the_entry(monkeypatch) -> None:
    def broken(raw: str):
        raise ValueError("boom")

    monkeypatch.setattr("ingest.reflist.parse_reference", broken)
    with pytest.raises(IngestError) as exc:
        _parse("Smith J. A title. 2010.")
    assert exc.value.stage == "parse" and "boom" in str(exc.value)


def test_missing_model_is_an_error_not_empty_fields(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(reference_crf, "MODEL_PATH", tmp_path / "none.crfsuite")
    monkeypatch.setattr(reference_crf._LOCAL, "tagger", None, raising=False)
    with pytest.raises(reference_crf.ModelMissing):
        parse_reference("Smith J. A title. 2010.")


def test_tagged_lines_convert_to_segments(tmp_path) -> None:
    src = tmp_path / "own.tagged.txt"
    src.write_text("# comment\n1. <author>Smith J.</author> <title>A b.</title>\\nx\n")
    (segs,) = list(convert.tagged(src))
    clean = convert.clean(segs, collapse=False)
    assert clean == [["", "1. "], ["author", "Smith J."], ["", " "], ["title", "A b."], ["", "\nx"]]
    ex = corpus.Example("t", corpus.OWN, clean)
    toks, labels = corpus.token_labels(ex)
    assert [t[0] for t in toks] == ["Smith", "J.", "A", "b.", "x"]  # the number is stripped
    assert labels == ["author", "author", "title", "title", "other"]


def test_split_is_by_string_and_own_labels_always_train() -> None:
    examples = corpus.load()
    train_set, test_set = corpus.split(examples)
    assert test_set and all(e.source != corpus.OWN for e in test_set)
    assert {e.text for e in train_set}.isdisjoint({e.text for e in test_set})
    assert all(corpus.is_held_out(e.text) for e in test_set)


def test_training_is_deterministic_for_a_seed(tmp_path, monkeypatch) -> None:
    small = [e for e in corpus.load() if e.source == corpus.OWN][:30]
    monkeypatch.setattr(corpus, "load", lambda: list(small))
    monkeypatch.setattr("kb.parser.train.SYNTHETIC", 20)
    monkeypatch.setattr("kb.parser.train.NAME_WORDS", tmp_path / "names.txt")
    runs = [train(seed=3, model=tmp_path / f"{n}.crfsuite", max_iterations=5) for n in "ab"]
    assert runs[0].size > 0 and runs[0].model.read_bytes() == runs[1].model.read_bytes()


def test_stored_confidences_and_names(tmp_path) -> None:
    from sqlmodel import Session, select

    from kb.build import BuildOptions, build
    from kb.database import open_db
    from kb.models import Reference

    art = tmp_path / "a.md"
    art.write_text(
        "# T\n\nA claim [1].\n\n## References\n\n1. Cree BA, Goodin DS. Pilot trial of "
        "naltrexone. Ann Neurol. 2010 Aug;68(2):145-50.\n"
    )
    build([str(art)], tmp_path / "kb.db", BuildOptions(offline=True, crossref=False, workers=0))
    with Session(open_db(tmp_path / "kb.db")) as s:
        ref = s.exec(select(Reference)).one()
    assert json.loads(ref.author_names) == [["Cree", "BA"], ["Goodin", "DS"]]
    assert ref.title_confidence > 0.5 and ref.year_confidence > 0.5


def test_a_field_below_its_threshold_is_withheld_but_kept_as_uncertain() -> None:
    from ingest.reference_fields import read_reference
    from ingest.reference_thresholds import withhold_uncertain

    raw = "Cree BA, Goodin DS. Pilot trial of naltrexone. Ann Neurol. 2010 Aug;68(2):145-50."
    f = read_reference(raw)
    assert set(f.confidence) == {"authors", "title", "journal", "year", "volume", "issue", "pages"}
    title, authors, journal = f.title, f.authors, f.journal
    kept = withhold_uncertain(f, {"title": 1.01, "authors": 1.01, "journal": 1.01, "year": 0.5})
    assert kept.title is None and kept.authors == [] and kept.first_author is None
    assert kept.author_names == [] and kept.journal is None and kept.journal_abbrev is None
    assert kept.uncertain == {"title": title, "authors": authors, "journal": journal}
    assert kept.year == 2010 and kept.pages == "145-150"  # sure enough: still given


def test_thresholds_rise_until_the_precision_target() -> None:
    from kb.parser.thresholds import Observation, choose, counts

    obs = [Observation("title", 0.99, "a", "a")] * 90  # right and sure
    obs += [Observation("title", 0.5, "a", "b")] * 8  # wrong and unsure
    obs += [Observation("title", 0.55, "a", "a")] * 2  # right but unsure
    obs += [Observation("doi", None, "x", "y")] * 2  # never withheld
    limits = choose(obs, 0.95)
    tp, fp, _ = counts(obs, limits)
    assert tp / (tp + fp) >= 0.95 and 0.5 < limits["title"] <= 0.55 and tp == 92
    assert choose(obs, 0.5) == {}  # already precise enough: nothing withheld


def test_folds_partition_the_training_split() -> None:
    from kb.parser.thresholds import fold_of

    train_set, _ = corpus.split(corpus.load())
    folds = [[e for e in train_set if fold_of(e.text, 3) == i] for i in range(3)]
    assert sum(map(len, folds)) == len(train_set) and all(
        len(f) > len(train_set) / 4 for f in folds
    )


def test_shipped_thresholds_were_chosen_for_the_shipped_model() -> None:
    import hashlib

    from ingest.reference_thresholds import THRESHOLDS_PATH, thresholds

    data = json.loads(THRESHOLDS_PATH.read_text())
    model = reference_crf.MODEL_PATH.read_bytes()
    assert data["model_sha256"] == hashlib.sha256(model).hexdigest()  # rerun after training
    assert thresholds() and all(0 < v < 1 for v in thresholds().values())


def test_withheld_authors_and_year_still_key_an_author_year_entry() -> None:
    from ingest.reflist import _author_year
    from ingest.types import ReferenceFields

    f = ReferenceFields(uncertain={"authors": ["Zagon IS"], "year": 1983})
    assert f.guess("year") == 1983 and f.year is None
    assert _author_year("Zagon IS. Naltrexone. Science. (1983)", f) == ("Zagon", 1983, "")
