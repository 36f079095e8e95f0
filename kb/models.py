"""SQLModel tables of the knowledge base.

Every row says where it came from: article-derived rows carry ``article_id``
(and offsets into the article text), Crossref-derived rows carry
``provenance`` (``api``, ``cache`` or ``snapshot``). Descriptions of every
table and column live in ``datasette_metadata.json`` (a test enforces it).

Editors' decisions live in ``suggestion_decision``, keyed by stable text
(article source, reference key, DOI) rather than row ids, so they survive
rebuilds that replace an article's rows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel


def utcnow() -> str:
    """ISO-8601 UTC timestamp, the one time format stored everywhere."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- articles and their text -------------------------------------------------


class Article(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True, unique=True)  # path relative to the build root, or URL
    source_kind: str = "file"  # file | url
    content_hash: str = ""  # sha256 of the raw bytes; unchanged hash => skip on rebuild
    format: str = "text"  # text | markdown | html
    title: str | None = None
    byline: str | None = None
    # numeric | superscript | paren | bare | footnote | author_year | mdlink | mixed | none
    marker_style: str | None = None
    # JSON: why the style was chosen, each marker family's evidence (ingest.marker_families)
    marker_scores: str | None = None
    encoding: str | None = None  # encoding the bytes were decoded with
    repaired: bool = False  # True when ftfy repaired mojibake
    text: str = ""  # the normalised body text; all offsets point into it
    n_sentences: int = 0
    n_claims: int = 0
    n_references: int = 0
    completeness: float | None = None  # share of entries complete and verified (audit)
    derived_hash: str = ""  # inputs of the derived layers; unchanged => not recomputed
    ingested_at: str = Field(default_factory=utcnow)


class Section(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    position: int
    heading: str
    level: int = 2
    start: int = 0  # offsets into article.text
    end: int = 0
    is_references: bool = False


class Claim(SQLModel, table=True):
    """A sentence of the article body that cites something or describes a study.

    The ``desc_*`` columns record what the sentence itself says about the study
    it cites (year, journal, design, sample size, duration, outcomes)."""

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    section_id: int | None = Field(default=None, foreign_key="section.id", index=True)
    position: int  # sentence index within the article
    paragraph: int = 0
    start: int  # offsets into article.text
    end: int
    text: str
    n_markers: int = 0
    is_study_description: bool = False
    uncited: bool = False  # describes a study but carries no marker
    # a follow-up sentence ("The study included 52 patients.") points at the claim whose
    # study it goes on describing, and so at that claim's cited entries
    continues_claim_id: int | None = Field(default=None, foreign_key="claim.id")
    desc_year: int | None = None
    desc_journal: str | None = None
    desc_design: str | None = None
    desc_sample_size: int | None = None
    desc_duration: str | None = None
    desc_outcomes: str | None = None  # JSON list
    # words the search box also matches: the tagged conditions' names, synonyms and MeSH
    # heading, and the expansions of abbreviations the article defines ("LDN")
    search_terms: str | None = None


class Marker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    raw: str  # as written: "[4-6]", "³", "(Smith 2010)"
    style: str  # bracket | superscript | paren | footnote | author_year | mdlink | bare
    start: int  # offsets within the claim text
    end: int
    keys: str  # JSON list of the entry keys it expands to
    locator: str | None = None  # page locator written with it: "p. 12" of "(3, p. 12)"


class Reference(SQLModel, table=True):
    """One entry of an article's reference list, with the fields parsed from it."""

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    key: str  # "16", "smith2010a", or a Markdown link label
    number: int | None = None
    position: int  # order in the list
    list_name: str | None = None  # heading of the entry's list ("Notes", "References")
    raw: str
    start: int = 0  # offsets into article.text (the reference block)
    end: int = 0
    doi: str | None = Field(default=None, index=True)  # normalised, lower-case
    doi_raw: str | None = None  # as written
    doi_status: str = "absent"  # present | empty | truncated | malformed | absent
    pmid: str | None = None
    pmcid: str | None = None
    isbn: str | None = None
    url: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    article_number: str | None = None
    journal: str | None = None
    authors: str | None = None  # JSON list of "Family Initials"
    first_author: str | None = None  # family name, for author-year resolution
    title: str | None = None
    source_type: str | None = None  # journal | web | press_release | book | conference | preprint
    author_names: str | None = None  # JSON list of [family, given]
    journal_abbrev: str | None = None  # NLM abbreviation, when the list knows the journal
    # the parser's confidence (0-1) in each field as stored, found or absent
    authors_confidence: float | None = None
    title_confidence: float | None = None
    journal_confidence: float | None = None
    year_confidence: float | None = None
    # fields read below their confidence threshold: JSON {field: value as read}, not stored
    # in the columns above (neither present nor confidently absent)
    uncertain: str | None = None
    work_doi: str | None = Field(default=None, foreign_key="work.doi", index=True)
    verification: str = "unchecked"  # verified | not_found | unverified | unchecked | no_doi
    verification_source: str | None = None  # api | cache | snapshot
    evidence_type: str | None = None
    evidence_signal: str | None = None
    # the linked work's title, authors and journal: reference search finds them too
    search_terms: str | None = None


class StudyLink(SQLModel, table=True):
    """One row per (claim, cited key): the entry it points to, or none (dangling)."""

    __tablename__ = "study_link"
    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    marker_id: int | None = Field(default=None, foreign_key="marker.id", index=True)
    key: str
    reference_id: int | None = Field(default=None, foreign_key="reference.id", index=True)
    dangling: bool = False


# --- Crossref ----------------------------------------------------------------


class Work(SQLModel, table=True):
    """A cited work as Crossref (or a snapshot of it) describes it; shared by all articles."""

    doi: str = Field(primary_key=True)  # lower-case
    title: str | None = None
    authors: str | None = None  # JSON list of {"family", "given"}
    first_author: str | None = None
    container_title: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    article_number: str | None = None
    type: str | None = None
    issn: str | None = None
    publisher: str | None = None
    url: str | None = None
    provenance: str = "api"  # api | snapshot
    fetched_at: str = Field(default_factory=utcnow)
    evidence_type: str | None = None
    evidence_signal: str | None = None


class WorkResult(SQLModel, table=True):
    """What the derived layers compute from a work alone, computed once per work: kept while
    ``digest`` (the work's record and the rules' version) still matches."""

    __tablename__ = "work_result"
    doi: str = Field(primary_key=True, foreign_key="work.doi")
    digest: str
    evidence_type: str | None = None
    evidence_signal: str | None = None
    title_conditions: str = "[]"  # JSON list of condition matches in the work's title
    fix_text: str | None = None  # AMA and Vancouver; None until an audit first needs it


class WorkUpdate(SQLModel, table=True):
    """An ``updated-by`` notice: retraction, correction, expression of concern."""

    __tablename__ = "work_update"
    id: int | None = Field(default=None, primary_key=True)
    work_doi: str = Field(foreign_key="work.doi", index=True)
    update_doi: str | None = None
    update_type: str  # retraction | correction | expression_of_concern | other
    label: str | None = None
    source: str | None = None  # publisher | retraction-watch | ...
    date: str | None = None


class CrossrefResponse(SQLModel, table=True):
    """The persistent cache: one row per looked-up DOI or query, successful answers only."""

    __tablename__ = "crossref_response"
    id: int | None = Field(default=None, primary_key=True)
    request_key: str = Field(index=True, unique=True)  # "doi:10.x/y" or "query:<sha1>"
    doi: str | None = Field(default=None, index=True)
    status: str  # found | not_found
    http_status: int | None = None
    raw_json: str | None = None
    fetched_at: str = Field(default_factory=utcnow)
    provenance: str = "api"  # api | snapshot


class Suggestion(SQLModel, table=True):
    """A DOI candidate for a reference without a usable DOI, validated by us."""

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    reference_id: int = Field(foreign_key="reference.id", index=True)
    doi: str
    confidence: float
    agreed: str = "[]"  # JSON list of field names
    disagreed: str = "[]"
    status: str = "suggested"  # suggested | accepted | rejected
    provenance: str = "api"  # api | cache | snapshot
    created_at: str = Field(default_factory=utcnow)


class SuggestionDecision(SQLModel, table=True):
    """An editor's accept/reject, keyed by stable text so it survives rebuilds."""

    __tablename__ = "suggestion_decision"
    id: int | None = Field(default=None, primary_key=True)
    article_source: str = Field(index=True)
    reference_key: str
    doi: str
    status: str  # accepted | rejected
    decided_at: str = Field(default_factory=utcnow)


class SuggestionState(SQLModel, table=True):
    """What a reference's DOI suggestion was last computed from: unchanged ones are skipped."""

    __tablename__ = "suggestion_state"
    # goes with its reference (an article rebuilt or pruned recomputes its suggestions)
    reference_id: int = Field(primary_key=True, foreign_key="reference.id", ondelete="CASCADE")
    article_id: int = Field(index=True)
    inputs: str  # digest of the reference's fields, its decisions and the candidate works
    pending: bool = False  # a Crossref search was wanted and not answered: retry online


# --- conditions --------------------------------------------------------------


class Condition(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    mesh_id: str | None = None
    mesh_heading: str | None = None  # the descriptor's heading as MeSH spells it
    category: str | None = None
    parents: str = "[]"  # JSON list of broader condition names of this vocabulary
    synonyms: str = "[]"  # JSON list
    abbreviations: str = "[]"  # JSON list


class ClaimCondition(SQLModel, table=True):
    __tablename__ = "claim_condition"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    condition_id: int = Field(foreign_key="condition.id", index=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    matched_text: str | None = None
    start: int | None = None  # offsets within the claim text; null when inherited
    end: int | None = None
    inherited: bool = False  # from the section heading


class ReferenceCondition(SQLModel, table=True):
    __tablename__ = "reference_condition"
    id: int | None = Field(default=None, primary_key=True)
    reference_id: int = Field(foreign_key="reference.id", index=True)
    condition_id: int = Field(foreign_key="condition.id", index=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    matched_text: str | None = None
    field: str = "title"  # title | url | work_title


# --- audit and runs ----------------------------------------------------------


class Finding(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    code: str = Field(index=True)
    severity: str = Field(index=True)  # error | warning | info
    reference_id: int | None = Field(default=None, foreign_key="reference.id", index=True)
    claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    marker_id: int | None = Field(default=None, foreign_key="marker.id")
    reference_key: str | None = None
    marker_key: str | None = None
    message: str
    evidence: str = "{}"  # JSON
    fix_doi: str | None = None
    fix_reference: str | None = None
    fix_text: str | None = None


class IngestFailure(SQLModel, table=True):
    __tablename__ = "ingest_failure"
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    error: str  # one-line reason (Failure.reason)
    stage: str  # read | fetch | decode | parse | save | crossref | timeout
    detail: str = ""  # the full text: whole message, traceback of a parser bug
    at: str = Field(default_factory=utcnow)


class BuildRun(SQLModel, table=True):
    __tablename__ = "build_run"
    id: int | None = Field(default=None, primary_key=True)
    started_at: str = Field(default_factory=utcnow)
    finished_at: str | None = None
    offline: bool = False
    crossref_reachable: bool | None = None
    summary: str = "{}"  # JSON


# --- summaries (precomputed at build time from the tables above) -------------
# No foreign keys: a summary row is refreshed after the rows it counts are gone
# (a pruned article, a condition dropped from the vocabulary), never before.


class ConditionEvidence(SQLModel, table=True):
    """One cell of the evidence map: claims about a condition by the evidence type cited.

    Kept by ``kb.summary.refresh_summaries`` for the conditions whose rows changed."""

    __tablename__ = "condition_evidence"
    condition_id: int = Field(primary_key=True)
    # 'not cited', 'no entry', or the entry's (else its work's) evidence type, 'unknown'
    evidence_type: str = Field(primary_key=True)
    claims: int  # distinct claims


class ConditionSummary(SQLModel, table=True):
    """Per-condition counts: distinct claims, articles and reference entries about it."""

    __tablename__ = "condition_summary"
    condition_id: int = Field(primary_key=True)
    claims: int = 0
    articles: int = 0
    entries: int = 0  # distinct reference entries tagged with it


class ConditionArticle(SQLModel, table=True):
    """Distinct claims about a condition in one article: lets the condition's claims be
    paged by whole articles without counting them on every request."""

    __tablename__ = "condition_article"
    condition_id: int = Field(primary_key=True)
    article_id: int = Field(primary_key=True)
    claims: int


class FindingCount(SQLModel, table=True):
    """Findings per article, reason code and severity: lets the editors' queries page a
    code's findings by whole articles without counting them on every request."""

    __tablename__ = "finding_count"
    article_id: int = Field(primary_key=True)
    code: str = Field(primary_key=True)
    severity: str = Field(primary_key=True)
    findings: int


class FacetArticle(SQLModel, table=True):
    """Rows of an article-scoped table per article, faceted column and value: the default
    facets of the table pages without grouping a million rows on each request."""

    __tablename__ = "facet_article"
    table_name: str = Field(primary_key=True)
    column_name: str = Field(primary_key=True)
    article_id: int = Field(primary_key=True)
    # BLOB affinity keeps each value as stored in its table (1 stays 1, 'present' stays text)
    value: bytes = Field(sa_column=Column("value", LargeBinary, primary_key=True))
    n: int


class FacetTotal(SQLModel, table=True):
    """``facet_article`` summed over articles: what an unfiltered table page's facet shows."""

    __tablename__ = "facet_total"
    table_name: str = Field(primary_key=True)
    column_name: str = Field(primary_key=True)
    value: bytes = Field(sa_column=Column("value", LargeBinary, primary_key=True))
    n: int


class SummaryDirtyArticle(SQLModel, table=True):
    """Articles whose ``finding_count`` and ``facet_article`` rows are stale (filled by
    triggers, emptied by refresh)."""

    __tablename__ = "summary_dirty_article"
    article_id: int = Field(primary_key=True)


class SummaryDirty(SQLModel, table=True):
    """Conditions whose summary rows are stale: filled by triggers, emptied by the refresh."""

    __tablename__ = "summary_dirty"
    condition_id: int = Field(primary_key=True)
