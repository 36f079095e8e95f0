"""Tried as a new user would (issue 12), in Debian's Chromium at 1366 px against the real
`kb serve` on the sample article built for real (offline, through the shipped snapshot):
the article page, the editor's review page (the fix in full on screen, the copy button
copies it), claim search by an abbreviation's expansion, a condition typed with a curly
apostrophe and by MeSH id, and the HTML report opened from disk. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kb.build import BuildOptions, build
from tests.conftest import SAMPLE_ARTICLE
from tests.test_browser import ARGS, ARTIFACTS, CHROMIUM, _free_port, _wait_until_up

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTH = 1366


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("browser-pages") / "kb.db"
    result = build([str(SAMPLE_ARTICLE)], db_path, BuildOptions(offline=True))
    assert result.ok, result.failures
    port = _free_port()
    kb = Path(sys.executable).with_name("kb")
    proc = subprocess.Popen(
        [str(kb), "serve", "--no-build", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/-/versions.json", proc)
        yield base, db_path
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; tests/install_chromium.sh installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    pg = context.new_page()
    yield pg
    context.close()


def _shot(page, name: str, full: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def _fully_on_screen(locator) -> None:
    """The element is visible, inside the 1366 px width and not cut off by its box."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    assert locator.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert locator.evaluate("e => getComputedStyle(e).textOverflow") != "ellipsis"


def test_article_page(sample_server, page):
    base, db_path = sample_server
    title = sqlite3.connect(db_path).execute("select title from article").fetchone()[0]
    page.goto(base + "/kb/article/1")
    assert page.inner_text("h1") == title
    claims = page.locator("ol.kb-claims > li")
    assert claims.count() == 25
    # the claims read at a sensible width, not a word per line
    assert claims.first.bounding_box()["width"] > 900
    assert page.evaluate("document.body.scrollWidth") <= WIDTH
    _shot(page, "12-01-article-page")
    # a marker's entry opens on the review page, at that entry
    page.locator("ol.kb-claims a", has_text="entry 8").first.click()
    page.wait_for_url("**/-/review/1#entry-8")
    assert page.locator("#entry-8").is_visible()


def test_review_page_fix_in_full_and_copy_button(sample_server, page):
    base, db_path = sample_server
    ama = (
        sqlite3.connect(db_path)
        .execute(
            "select f.fix_text from finding f join reference r on r.id = f.reference_id "
            "where r.number = 15 and f.code = 'doi_truncated'"
        )
        .fetchone()[0]
        .splitlines()[0]
        .removeprefix("AMA: ")
    )
    page.goto(base + "/-/review/1")
    sections = page.locator("section.kb-entry h2")
    assert sections.nth(0).inner_text().startswith("Entry 1")
    assert page.locator("section.kb-entry").count() == 25  # 24 entries + marker [25]
    _shot(page, "12-02-review-page-top")
    entry = page.locator("#entry-15")
    fixtext = entry.locator(".kb-fix .kb-fixtext", has_text="Pape W").first
    assert fixtext.inner_text() == ama  # the whole complete reference, nothing cut
    _fully_on_screen(fixtext)
    entry.scroll_into_view_if_needed()
    _shot(page, "12-03-review-page-entry-15")
    page.locator(f'button[data-copy="{fixtext.get_attribute("id")}"]').click()
    page.wait_for_function("document.querySelector('.kb-copy.done') !== null")
    assert page.evaluate("navigator.clipboard.readText()") == ama
    # the chain marker 20 -> entry 19 -> entry 5 ends at entry 5, on the page
    shift = page.locator("#entry-20 .kb-fix", has_text="Marker should cite").first
    assert "entry 5" in shift.inner_text()
    shift.locator("a", has_text="5").first.click()
    page.wait_for_url("**#entry-5")
    # suggestions come with the commands that decide them
    assert page.locator("#entry-18 .kb-cmd", has_text="kb suggestion accept").count() == 1


def test_search_finds_what_an_abbreviation_stands_for(sample_server, page):
    base, db_path = sample_server
    page.goto(base + "/")
    page.fill("#kb-search-claims input[name=_search]", "multiple sclerosis")
    page.press("#kb-search-claims input[name=_search]", "Enter")
    page.wait_for_url("**_search=multiple+sclerosis**")
    texts = page.locator("table.rows-and-columns td.col-text").all_inner_texts()
    assert len(texts) == 3 and all("MS" in t for t in texts)
    _shot(page, "12-04-search-multiple-sclerosis")
    page.goto(base + "/kb/claim?_search=naltrexone")
    texts = page.locator("table.rows-and-columns td.col-text").all_inner_texts()
    assert len(texts) == 22 and any("naltrexone" not in t.lower() for t in texts)


@pytest.mark.parametrize("typed", ["Hashimoto\u2019s thyroiditis", "D050031"])
def test_condition_by_curly_apostrophe_and_mesh_id(sample_server, page, typed):
    base, db_path = sample_server
    page.goto(base + "/kb/claims_about_condition")
    assert page.locator("#kb-condition-choices").is_visible()  # a choice list, not nothing
    page.fill("input[name=condition]", typed)
    page.get_by_role("button", name="Run SQL").click()
    page.wait_for_selector("table.rows-and-columns td.col-claim")
    claims = page.locator("table.rows-and-columns td.col-claim").all_inner_texts()
    assert claims and all("thyroid" in c.lower() for c in claims)
    _shot(page, f"12-05-condition-{'mesh' if typed.startswith('D') else 'apostrophe'}")


def test_html_report_opened_from_disk(sample_server, page, tmp_path):
    _base, db_path = sample_server
    out = tmp_path / "report.html"
    kb = Path(sys.executable).with_name("kb")
    subprocess.run(
        [str(kb), "audit", "--format", "html", "-o", str(out), "--db", str(db_path)],
        check=True,
        capture_output=True,
    )
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.as_uri())
    assert page.inner_text("h1").startswith("Review: Unveiling the Potential")
    assert page.locator("section.kb-entry").count() == 25
    assert all(u.startswith("file:") for u in requests), requests  # self-contained
    fixtext = page.locator("#entry-15 .kb-fix .kb-fixtext", has_text="Pape W").first
    _fully_on_screen(fixtext)
    page.locator(f'button[data-copy="{fixtext.get_attribute("id")}"]').click()
    page.wait_for_function("document.querySelector('.kb-copy.done') !== null")
    assert page.evaluate("navigator.clipboard.readText()") == fixtext.inner_text()
    _shot(page, "12-06-html-report-from-disk")
