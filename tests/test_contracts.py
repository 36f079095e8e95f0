"""The stable interfaces the README documents are the ones the code has."""

from __future__ import annotations

import json
import re

from kb.audit.codes import CODES
from kb.audit.report import validate_report
from kb.stats import stats
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")

# The reason codes issue 4 names: editors' scripts depend on these exact strings.
ISSUE_CODES = """missing_identifier doi_empty doi_truncated doi_invalid doi_not_found doi_unverified
doi_metadata_mismatch missing_authors missing_title missing_journal missing_year pmc_only
url_only non_scholarly_source conference_abstract protocol_cited_as_evidence retracted
expression_of_concern corrected duplicate_reference dangling_marker uncited_reference
description_mismatch condition_mismatch numbering_shift""".split()


def section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def test_every_issue_code_exists_with_a_severity():
    assert set(ISSUE_CODES) <= set(CODES)
    assert {c.severity for c in CODES.values()} <= {"error", "warning", "info"}


def test_the_readme_documents_every_reason_code_with_its_severity():
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \|", section("## Stable interfaces"), re.M)
    assert dict(rows) == {code: c.severity for code, c in CODES.items()}


def test_the_readme_audit_json_example_has_the_contract_shape():
    block = re.search(r"```json\n(.*?)```", section("## Stable interfaces"), re.S).group(1)
    example = json.loads(block)
    assert validate_report(example) == []


def test_the_readme_lists_every_stats_key(engine):
    documented = set(re.findall(r"`(\w+)`", section("**`kb stats --format json`**")[:900]))
    assert set(stats(engine)) <= documented
