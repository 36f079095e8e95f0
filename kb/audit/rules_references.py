"""Rules on single reference entries: identifiers, DOIs, completeness, kind of source, notices."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from ingest.crossref.agreement import compare
from ingest.doi import has_usable_doi
from ingest.resources import RESOURCES
from kb.audit.compare import asserts_effect, entry_pages, work_pages
from kb.audit.context import AuditContext, make_finding, ref_label
from kb.models import Finding, Reference, Work

NON_SCHOLARLY_CSV = RESOURCES.data_file("audit", "non_scholarly_sources.csv")

Rule = Callable[[AuditContext, Reference], Iterator[Finding]]


def _has_usable_doi(ref: Reference) -> bool:
    return has_usable_doi(ref.doi, ref.doi_status)


def _authors(ref: Reference) -> list:
    try:
        return json.loads(ref.authors) if ref.authors else []
    except ValueError:
        return [ref.authors]


def is_scholarly(ref: Reference, work: Work | None) -> bool:
    """Journal articles, books, abstracts, preprints: entries that should carry full fields."""
    if ref.source_type in ("web", "press_release"):
        return False
    if ref.source_type or work is not None:
        return True
    return bool(
        ref.doi_status != "absent"
        or ref.pmid
        or ref.pmcid
        or ref.isbn
        or ref.journal
        or ref.volume
        or entry_pages(ref)
    )


def is_journal_article(ref: Reference, work: Work | None) -> bool:
    if work is not None and work.type:
        return work.type == "journal-article"
    if ref.source_type:
        return ref.source_type == "journal"
    return is_scholarly(ref, work) and bool(ref.volume or ref.issue or entry_pages(ref))


def rule_doi(ctx: AuditContext, ref: Reference) -> Iterator[Finding]:
    n = ref_label(ref)
    ev = {"doi_as_written": ref.doi_raw, "doi": ref.doi, "doi_status": ref.doi_status}
    if ref.doi_status == "empty":
        yield make_finding(
            ctx,
            "doi_empty",
            f"Entry {n} has a DOI label with nothing after it.",
            ref=ref,
            evidence=ev,
        )
    elif ref.doi_status == "truncated":
        yield make_finding(
            ctx,
            "doi_truncated",
            f"Entry {n} has a DOI that is cut short ({ref.doi_raw or ref.doi}).",
            ref=ref,
            evidence=ev,
        )
    elif ref.doi_status == "malformed":
        yield make_finding(
            ctx,
            "doi_invalid",
            f"Entry {n} has a DOI that is not valid ({ref.doi_raw or ref.doi}).",
            ref=ref,
            evidence=ev,
        )
    elif _has_usable_doi(ref) and ref.verification == "not_found":
        yield make_finding(
            ctx,
            "doi_not_found",
            f"Entry {n} cites DOI {ref.doi}, which Crossref does not know.",
            ref=ref,
            evidence={**ev, "verification": ref.verification},
        )
    elif _has_usable_doi(ref) and ref.verification == "unverified":
        yield make_finding(
            ctx,
            "doi_unverified",
            f"Entry {n}'s DOI {ref.doi} could not be checked against Crossref.",
            ref=ref,
            evidence={**ev, "verification": ref.verification},
        )


def rule_identifiers(ctx: AuditContext, ref: Reference) -> Iterator[Finding]:
    if _has_usable_doi(ref):
        return
    n = ref_label(ref)
    ids = {"pmid": ref.pmid, "pmcid": ref.pmcid, "isbn": ref.isbn, "url": ref.url}
    if ref.pmid or ref.pmcid:
        which = f"PMCID {ref.pmcid}" if ref.pmcid else f"PMID {ref.pmid}"
        yield make_finding(
            ctx,
            "pmc_only",
            f"Entry {n} is identified only by {which}, without a DOI.",
            ref=ref,
            evidence=ids,
        )
    elif ref.doi_status != "absent" or ref.isbn:
        return  # a broken DOI is reported by rule_doi; a book with an ISBN is findable
    elif ref.url:
        yield make_finding(
            ctx,
            "url_only",
            f"Entry {n} is only a URL, with no DOI, PMID or ISBN.",
            ref=ref,
            evidence=ids,
        )
    else:
        yield make_finding(
            ctx,
            "missing_identifier",
            f"Entry {n} has no DOI, PMID, PMCID, ISBN or URL to find it by.",
            ref=ref,
            evidence=ids,
        )


# A field counts as missing only when the parser is this sure the entry lacks it; below,
# the parser was unsure (the text may hold the field in a form it could not read).
ABSENT_CONFIDENCE = 0.8


def surely_absent(ref: Reference, field: str) -> bool:
    """True when the parser says the entry has no ``field`` with confidence (rows parsed
    before confidences were stored count as sure); a field read but withheld as uncertain
    (``reference.uncertain``) is not absent."""
    if ref.uncertain and field in json.loads(ref.uncertain):
        return False
    conf = getattr(ref, f"{field}_confidence", None)
    return conf is None or conf >= ABSENT_CONFIDENCE


def rule_missing_fields(ctx: AuditContext, ref: Reference) -> Iterator[Finding]:
    work = ctx.work_of(ref)
    if not is_scholarly(ref, work):
        return
    n = ref_label(ref)
    known = " (the work's record has it)" if work is not None else ""
    if not _authors(ref) and surely_absent(ref, "authors"):
        yield make_finding(
            ctx,
            "missing_authors",
            f"Entry {n} names no authors{known}.",
            ref=ref,
            evidence={"field": "authors", "entry": None, "work": work.authors if work else None},
        )
    if not ref.title and surely_absent(ref, "title"):
        yield make_finding(
            ctx,
            "missing_title",
            f"Entry {n} gives no title{known}.",
            ref=ref,
            evidence={"field": "title", "entry": None, "work": work.title if work else None},
        )
    if ref.year is None and surely_absent(ref, "year"):
        yield make_finding(
            ctx,
            "missing_year",
            f"Entry {n} gives no year{known}.",
            ref=ref,
            evidence={"field": "year", "entry": None, "work": work.year if work else None},
        )
    if not ref.journal and is_journal_article(ref, work) and surely_absent(ref, "journal"):
        yield make_finding(
            ctx,
            "missing_journal",
            f"Entry {n} does not name its journal{known}.",
            ref=ref,
            evidence={
                "field": "journal",
                "entry": None,
                "work": work.container_title if work else None,
            },
        )


def metadata_disagreements(ref: Reference, work: Work) -> dict[str, dict]:
    """Fields the entry writes that disagree with the work's record (``agreement``'s verdicts;
    a year one after the work's is the print year of an online-first work, not an error)."""
    verdict = compare(ref, work, ("year", "volume", "issue", "locator", "last_page", "journal"))
    out: dict[str, dict] = {}
    for name in ("year", "volume", "issue"):
        if verdict[name] is False:
            out[name] = {"entry": getattr(ref, name), "work": getattr(work, name)}
    if verdict["locator"] is False or verdict["last_page"] is False:
        out["pages"] = {"entry": entry_pages(ref), "work": work_pages(work)}
    if verdict["journal"] is False:
        out["journal"] = {"entry": ref.journal, "work": work.container_title}
    return out


def rule_metadata_mismatch(ctx: AuditContext, ref: Reference) -> Iterator[Finding]:
    work = ctx.work_of(ref)
    if work is None:
        return
    diff = metadata_disagreements(ref, work)
    if diff:
        fields = ", ".join(diff)
        yield make_finding(
            ctx,
            "doi_metadata_mismatch",
            f"Entry {ref_label(ref)}'s {fields} disagree with the record of DOI {work.doi}.",
            ref=ref,
            evidence={"doi": work.doi, "fields": diff},
        )


@lru_cache(maxsize=4)
def _non_scholarly_rules(path: Path = NON_SCHOLARLY_CSV) -> tuple[tuple[str, str, str, str], ...]:
    with path.open(newline="", encoding="utf-8") as fh:
        return tuple(
            (r["kind"], r["match"], r["pattern"].lower(), r["note"]) for r in csv.DictReader(fh)
        )


def url_host(url: str) -> str:
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower()).split("/")[0].split("?")[0]
    return host.removeprefix("www.")


def non_scholarly_kind(ref: Reference) -> tuple[str, str] | None:
    """(kind, why) when the entry is a press release, blog, advocacy or commercial page."""
    if ref.source_type == "press_release":
        return "press_release", "parsed as a press release"
    urls = [ref.url] if ref.url else re.findall(r"(?:https?://|www\.)[^\s<>\"]+", ref.raw)
    hosts = [url_host(u) for u in urls]
    raw = ref.raw.lower()
    for kind, match, pattern, note in _non_scholarly_rules():
        if match == "domain" and any(h == pattern or h.endswith("." + pattern) for h in hosts):
            return kind, f"{pattern}: {note}"
        if match == "url" and any(pattern in u.lower() for u in urls):
            return kind, f"URL contains {pattern}: {note}"
        if match == "text" and pattern in raw:
            return kind, f"entry says '{pattern}'"
    return None


KIND_NAMES = {
    "press_release": "a press release",
    "news": "a news story",
    "consumer_health": "a consumer health page",
    "advocacy": "an advocacy page",
    "blog": "a blog post",
    "encyclopedia": "an encyclopedia article",
    "social": "a social media post",
    "commercial": "a commercial page",
}


def rule_source_kind(ctx: AuditContext, ref: Reference) -> Iterator[Finding]:
    n = ref_label(ref)
    hit = non_scholarly_kind(ref)
    if hit:
        kind, why = hit
        yield make_finding(
            ctx,
            "non_scholarly_source",
            f"Entry {n} is {KIND_NAMES.get(kind, 'a ' + kind)}, not a scholarly source.",
            ref=ref,
            evidence={"kind": kind, "signal": why, "url": ref.url},
        )
    work = ctx.work_of(ref)
    signals = []
    if ref.source_type == "conference":
        signals.append("entry parsed as a conference item")
    if work is not None and work.type == "proceedings-article":
        signals.append("Crossref type proceedings-article")
    if any(
        "conference" in (x or "").lower()
        for x in (ref.evidence_type, work.evidence_type if work else None)
    ):
        signals.append("evidence type conference abstract")
    if re.search(r"\babstracts?\b", ref.raw, re.I) and not ref.title:
        signals.append("entry text says abstract")
    elif ref.title and re.match(r"\s*abstract\b", ref.title, re.I):
        signals.append("title starts with Abstract")
    if signals:
        yield make_finding(
            ctx,
            "conference_abstract",
            f"Entry {n} is a conference abstract, not a full peer-reviewed paper.",
            ref=ref,
            evidence={"signals": signals},
        )


def _is_protocol(ref: Reference, work: Work | None, suggested: Work | None) -> str | None:
    for label, text in (
        ("work title", work.title if work else None),
        (
            f"title of suggested DOI {suggested.doi}" if suggested else "",
            suggested.title if suggested else None,
        ),
        ("entry title", ref.title),
        ("work evidence type", work.evidence_type if work else None),
        ("entry evidence type", ref.evidence_type),
    ):
        if text and re.search(r"\bprotocol\b", text, re.I):
            return label
    return None


def rule_protocol(ctx: AuditContext, ref: Reference) -> Iterator[Finding]:
    work = ctx.work_of(ref)
    signal = _is_protocol(ref, work, None if work else ctx.suggested_work(ref))
    if not signal:
        return
    for link in ctx.links_by_ref.get(ref.id, []):
        claim = ctx.claims.get(link.claim_id)
        if claim is not None and asserts_effect(claim.text):
            yield make_finding(
                ctx,
                "protocol_cited_as_evidence",
                f"Entry {ref_label(ref)} is a trial protocol, which reports no "
                "results, yet the sentence cites it for an effect.",
                ref=ref,
                link=link,
                evidence={"protocol_signal": signal, "claim": claim.text[:300]},
            )


_UPDATE_CODES = {
    "retraction": ("retracted", "has been retracted"),
    "retracted": ("retracted", "has been retracted"),
    "withdrawal": ("retracted", "has been withdrawn"),
    "removal": ("retracted", "has been removed"),
    "expression_of_concern": ("expression_of_concern", "carries an expression of concern"),
    "correction": ("corrected", "has a published correction"),
    "erratum": ("corrected", "has a published erratum"),
    "corrigendum": ("corrected", "has a published corrigendum"),
}


def rule_updates(ctx: AuditContext, ref: Reference) -> Iterator[Finding]:
    work = ctx.work_of(ref)
    if work is None:
        return
    seen: set[str] = set()
    for u in ctx.updates.get(work.doi, []):
        kind = re.sub(r"[\s-]+", "_", (u.update_type or "").lower())
        if kind not in _UPDATE_CODES:
            continue
        code, verb = _UPDATE_CODES[kind]
        if code in seen:
            continue
        seen.add(code)
        yield make_finding(
            ctx,
            code,
            f"The work cited as entry {ref_label(ref)} {verb}"
            f"{' (notice ' + u.update_doi + ')' if u.update_doi else ''}.",
            ref=ref,
            evidence={
                "doi": work.doi,
                "notice_doi": u.update_doi,
                "notice_type": u.update_type,
                "source": u.source,
                "date": u.date,
            },
        )


REFERENCE_RULES: list[Rule] = [
    rule_doi,
    rule_identifiers,
    rule_missing_fields,
    rule_metadata_mismatch,
    rule_source_kind,
    rule_protocol,
    rule_updates,
]
