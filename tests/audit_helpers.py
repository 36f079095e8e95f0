"""Builders for audit tests: rows made directly with the SQLModel tables, no parser involved."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from kb.models import (
    Article,
    Claim,
    ClaimCondition,
    Condition,
    Marker,
    Reference,
    ReferenceCondition,
    StudyLink,
    Suggestion,
    Work,
    WorkUpdate,
)


class Builder:
    """One article under construction; every ``add`` is flushed so ids exist."""

    def __init__(self, session: Session, source: str = "articles/test.txt", title: str = "Test"):
        self.s = session
        self.article = self._add(Article(source=source, title=title, text=""))
        self.refs: dict[str, Reference] = {}
        self._pos = 0

    def _add(self, row):
        self.s.add(row)
        self.s.flush()
        return row

    def work(self, doi: str, **fields) -> Work:
        doi = doi.lower()
        existing = self.s.get(Work, doi)
        if existing is not None:
            return existing
        if isinstance(fields.get("authors"), list):
            fields["authors"] = json.dumps(fields["authors"])
        fields.setdefault("type", "journal-article")
        return self._add(Work(doi=doi, **fields))

    def ref(
        self, number: int | None, raw: str = "", *, key: str | None = None, **fields
    ) -> Reference:
        if isinstance(fields.get("authors"), list):
            fields["authors"] = json.dumps(fields["authors"])
        if fields.get("doi") and "doi_status" not in fields:
            fields["doi_status"] = "present"
        key = key or str(number)
        ref = Reference(
            article_id=self.article.id,
            key=key,
            number=number,
            position=len(self.refs),
            raw=raw or f"entry {key}",
            **fields,
        )
        self.refs[key] = self._add(ref)
        return ref

    def claim(self, text: str, keys: list[str] | None = None, **desc) -> Claim:
        self._pos += 1
        claim = self._add(
            Claim(
                article_id=self.article.id,
                position=self._pos,
                start=0,
                end=len(text),
                text=text,
                n_markers=len(keys or []),
                **desc,
            )
        )
        for k in keys or []:
            marker = self._add(
                Marker(
                    article_id=self.article.id,
                    claim_id=claim.id,
                    raw=f"[{k}]",
                    style="bracket",
                    start=len(text),
                    end=len(text),
                    keys=json.dumps([k]),
                )
            )
            ref = self.refs.get(k)
            self._add(
                StudyLink(
                    article_id=self.article.id,
                    claim_id=claim.id,
                    marker_id=marker.id,
                    key=k,
                    reference_id=ref.id if ref else None,
                    dangling=ref is None,
                )
            )
        return claim

    def condition(
        self, name: str, category: str | None = None, parents: list[str] | None = None
    ) -> Condition:
        found = self.s.exec(select(Condition).where(Condition.name == name)).first()
        row = Condition(name=name, category=category)
        if parents:
            row.parents = json.dumps(parents)
        return found or self._add(row)

    def tag_claim(
        self, claim: Claim, name: str, category: str | None = None, inherited: bool = False
    ) -> None:
        cond = self.condition(name, category)
        self._add(
            ClaimCondition(
                claim_id=claim.id,
                condition_id=cond.id,
                article_id=self.article.id,
                matched_text=name,
                inherited=inherited,
            )
        )

    def tag_ref(self, ref: Reference, name: str, category: str | None = None) -> None:
        cond = self.condition(name, category)
        self._add(
            ReferenceCondition(
                reference_id=ref.id,
                condition_id=cond.id,
                article_id=self.article.id,
                matched_text=name,
            )
        )

    def update(self, doi: str, update_type: str, update_doi: str | None = None) -> WorkUpdate:
        return self._add(
            WorkUpdate(
                work_doi=doi.lower(),
                update_type=update_type,
                update_doi=update_doi,
                source="publisher",
            )
        )

    def suggest(
        self, ref: Reference, doi: str, confidence: float = 0.9, status: str = "suggested"
    ) -> Suggestion:
        return self._add(
            Suggestion(
                article_id=self.article.id,
                reference_id=ref.id,
                doi=doi,
                confidence=confidence,
                agreed='["year", "volume"]',
                status=status,
            )
        )


AUTHORS = [{"family": "Smith", "given": "J."}, {"family": "Jones", "given": "K."}]


def verified_entry(
    b: Builder,
    number: int,
    doi: str,
    *,
    title: str,
    journal: str,
    year: int,
    volume: str,
    issue: str,
    pages: str,
    **work_fields,
) -> Reference:
    """A complete, verified entry whose work agrees with it in every field."""
    b.work(
        doi,
        title=title,
        container_title=journal,
        year=year,
        volume=volume,
        issue=issue,
        page=pages,
        authors=AUTHORS,
        first_author="Smith",
        **work_fields,
    )
    raw = f"Smith J, Jones K. {title}. {journal}. {year};{volume}({issue}):{pages}. doi:{doi}"
    return b.ref(
        number,
        raw,
        doi=doi,
        doi_raw=doi,
        title=title,
        journal=journal,
        year=year,
        volume=volume,
        issue=issue,
        pages=pages,
        authors=["Smith J", "Jones K"],
        first_author="Smith",
        source_type="journal",
        work_doi=doi.lower(),
        verification="verified",
        verification_source="api",
    )
