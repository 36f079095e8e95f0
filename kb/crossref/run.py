"""The build's Crossref step: verify every usable DOI once, then suggest DOIs where missing.

Each unique DOI is resolved once, in this order: the cache (an earlier API
answer; skipped with ``refresh``), the API (batched ``filter=doi:``, then one by
one for what a batch did not return; never when ``offline`` or after the client
stopped for errors), a snapshot. Only Crossref's 404 makes a DOI ``not_found``;
a DOI nobody could answer for is ``unverified``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import click
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ingest.crossref.client import CrossrefClient
from ingest.crossref.limiter import Limits
from ingest.doi import USABLE_DOI_STATUSES, has_usable_doi, normalize_doi
from kb.crossref.cache import doi_key, raw
from kb.crossref.decisions import accepted_links
from kb.crossref.lookup import save_answer
from kb.crossref.search_ahead import SearchAhead
from kb.crossref.snapshot import import_snapshot
from kb.crossref.suggestions import make_suggestions, search_early
from kb.crossref.works import existing_works, save_work
from kb.models import CrossrefResponse, Reference

SWITCH_INTERVAL = 0.0005  # seconds; sys.setswitchinterval while Crossref is called


@dataclass
class CrossrefSummary:
    looked_up: int = 0  # unique DOIs resolved in this run
    from_cache: int = 0
    from_snapshot: int = 0
    found: int = 0
    not_found: int = 0
    unverified: int = 0
    suggested: int = 0
    requests: int = 0
    rate_limited: int = 0
    reachable: bool | None = None  # None: no request was made
    aborted_reason: str | None = None

    def line(self) -> str:
        text = (
            f"Crossref: {self.looked_up} DOIs ({self.from_cache} from cache, "
            f"{self.from_snapshot} from snapshot), {self.found} found, {self.not_found} not found, "
            f"{self.unverified} unverified, {self.suggested} DOIs suggested, "
            f"{self.requests} requests"
        )
        if self.reachable is False:
            text += "; Crossref unreachable"
        if self.aborted_reason:
            text += f"; {self.aborted_reason}"
        return text

    def as_dict(self) -> dict:
        return asdict(self)


def _scope(stmt, article_ids: Sequence[int] | None):
    return stmt if article_ids is None else stmt.where(Reference.article_id.in_(article_ids))


def _usable_dois(session: Session, article_ids: Sequence[int] | None) -> list[str]:
    stmt = select(Reference.doi).where(
        Reference.doi.is_not(None), Reference.doi_status.in_(USABLE_DOI_STATUSES)
    )
    dois = session.execute(_scope(stmt, article_ids)).scalars()
    return sorted({normalize_doi(d, strict=False) for d in dois if d and d.strip()})


@contextmanager
def _responsive_threads(interval: float = SWITCH_INTERVAL) -> Iterator[None]:
    """While requests are out the main thread computes (saving works, planning searches),
    and a request thread waits for the interpreter after each socket call until the next
    switch: 5 ms by default, tens of times per request on a busy machine, which stretches
    its send delay past the limiter's margin. A short switch interval while Crossref is
    being called keeps it inside; the previous one is restored after."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@contextmanager
def _bar(progress: bool, length: int, label: str) -> Iterator:
    if progress and length:
        with click.progressbar(length=length, label=label, file=sys.stderr) as b:
            yield b
    else:
        yield None


def _fetch_and_save(
    session: Session, client: CrossrefClient, dois: list[str], progress: bool
) -> dict[str, object]:
    """DOI -> message | None (404) | CrossrefError (``client.stream_works``). Each answer is
    cached and its work saved as it arrives, while the other requests are out, so saving
    is off the critical path."""
    fetched: dict[str, object] = {}
    with _bar(progress, len(dois), "Crossref look-ups") as bar:
        for answers in client.stream_works(dois):
            for doi, got in answers.items():
                fetched[doi] = got
                if isinstance(got, dict | None):
                    save_answer(session, doi, got)
            if bar is not None:
                bar.update(len(answers))
    return fetched


def _cached(session: Session, dois: list[str]) -> dict[str, CrossrefResponse]:
    """The cache rows of many DOIs, in a few queries."""
    out: dict[str, CrossrefResponse] = {}
    keys = [doi_key(d) for d in dois]
    for i in range(0, len(keys), 500):
        rows = session.execute(
            select(CrossrefResponse).where(CrossrefResponse.request_key.in_(keys[i : i + 500]))
        ).scalars()
        out.update({r.request_key[len("doi:") :]: r for r in rows})
    return out


def _resolve(
    session: Session,
    summary: CrossrefSummary,
    dois: list[str],
    fetched: dict,
    cache: dict[str, CrossrefResponse],
) -> dict[str, tuple[str, str | None]]:
    """Outcome per DOI: (verification, source); API answers (``fetched``) are saved already.
    ``cache``: rows already read (the rest of what was not fetched is read here)."""
    outcome: dict[str, tuple[str, str | None]] = {}
    unanswered = [d for d in dois if not isinstance(fetched.get(d, 0), dict | None)]
    cache = {d: cache[d] for d in unanswered if d in cache}
    cache.update(_cached(session, [d for d in unanswered if d not in cache]))
    snap = [d for d, r in cache.items() if r.provenance != "api" and r.status == "found"]
    works = existing_works(session, snap)
    for doi in dois:
        got = fetched.get(doi, "not asked")
        if isinstance(got, dict | None):
            outcome[doi] = ("verified" if got else "not_found", "api")
            continue
        row = cache.get(doi)
        if row is not None and row.provenance == "api":  # also a refresh whose request failed
            summary.from_cache += 1
            outcome[doi] = ("verified" if row.status == "found" else "not_found", "cache")
        elif row is not None and row.status == "found":  # a snapshot answer
            if doi not in works:  # importing the snapshot saved its work already
                save_work(session, raw(row), "snapshot")
            summary.from_snapshot += 1
            outcome[doi] = ("verified", "snapshot")
        else:
            outcome[doi] = ("unverified", None)
    return outcome


def _apply(session: Session, outcome: dict, article_ids: Sequence[int] | None) -> None:
    """Each reference's verification and work link from its DOI's outcome (changed rows only).
    A reference without a verified DOI keeps the link of its accepted suggestion
    (``decisions.accepted_links``), so a rebuild neither clears nor rewrites it."""
    cols = (Reference.id, Reference.doi, Reference.doi_status, Reference.verification,
            Reference.verification_source, Reference.work_doi)  # fmt: skip
    rows = session.execute(_scope(select(*cols), article_ids)).all()
    accepted = accepted_links(session, [r.id for r in rows if r.work_doi])
    changes = []
    for rid, raw_doi, status, *now in rows:
        doi = normalize_doi(raw_doi, strict=False) if raw_doi else None
        if has_usable_doi(raw_doi, status) and doi in outcome:
            verification, source = outcome[doi]
            want = [verification, source, doi if verification == "verified" else None]
        else:
            want = ["no_doi", None, None]
        if want[2] is None:
            want[2] = accepted.get(rid)
        if now != want:
            changes.append(dict(zip(("id", *_APPLIED), (rid, *want), strict=True)))
    if changes:
        session.execute(update(Reference), changes)


_APPLIED = ("verification", "verification_source", "work_doi")


def verify_and_suggest(
    engine: Engine,
    *,
    offline: bool = False,
    refresh: bool = False,
    mailto: str | None = None,
    base_url: str | None = None,
    snapshot_dirs: Sequence[Path] = (),
    article_ids: Sequence[int] | None = None,
    progress: bool = False,
    limits: Limits | None = None,
) -> CrossrefSummary:
    """Verify the references' DOIs, link references to works, suggest DOIs; see module doc."""
    summary = CrossrefSummary()
    for folder in snapshot_dirs:
        import_snapshot(engine, Path(folder))
    with Session(engine) as session:
        dois = _usable_dois(session, article_ids)
        cache = _cached(session, dois) if not refresh else {}
        cached = {d for d, row in cache.items() if row.provenance == "api"}
    to_fetch = [d for d in dois if d not in cached]
    client: CrossrefClient | None = None
    fetched: dict[str, object] = {}
    ahead: SearchAhead | None = None
    with ExitStack() as stack:
        if not offline:
            client = CrossrefClient(base_url=base_url, mailto=mailto, limits=limits)
            stack.enter_context(_responsive_threads())
            stack.callback(_client_summary, summary, client)
            ahead = stack.enter_context(SearchAhead(client))
        with Session(engine) as session:
            if client is not None and to_fetch:
                fetched = _fetch_and_save(session, client, to_fetch, progress)
            outcome = _resolve(session, summary, dois, fetched, cache)
            session.commit()
            # The works Crossref just answered are local candidates: deciding a search before
            # they are saved would search for references they match (3.7x the searches on
            # the benchmark). Searches start as soon as each is decided, while the rest is
            # planned and the references are updated.
            if ahead is not None:
                not_found = {d for d, (v, _src) in outcome.items() if v == "not_found"}
                search_early(session, ahead, article_ids, refresh=refresh, not_found=not_found)
            _apply(session, outcome, article_ids)
            session.commit()
            summary.suggested = make_suggestions(
                session,
                article_ids,
                client=client,
                fetched_now=set(fetched),
                progress=progress,
                refresh=refresh,
                ahead=ahead,
            )
            session.commit()
    summary.looked_up = len(dois)
    summary.found = sum(1 for v, _ in outcome.values() if v == "verified")
    summary.not_found = sum(1 for v, _ in outcome.values() if v == "not_found")
    summary.unverified = sum(1 for v, _ in outcome.values() if v == "unverified")
    return summary


def _client_summary(summary: CrossrefSummary, client: CrossrefClient) -> None:
    s = client.stats
    summary.requests = s.requests
    summary.rate_limited = s.rate_limited
    summary.aborted_reason = client.aborted_reason
    if s.requests:
        summary.reachable = s.answered > 0
