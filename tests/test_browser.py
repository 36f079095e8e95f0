"""Tested as a person would (issue 5): the real Datasette server driven by Debian's Chromium.

A researcher opens the home page, finds the claims about a condition, opens one claim, follows
it to its cited work, searches the claims' full text and opens the evidence-map chart; every
step is checked for what a person sees and saved as a screenshot under ``test-artifacts/``.
Chromium comes from apt (``tests/install_chromium.sh``), never from a Playwright download;
without it the test is skipped with the reason.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import Session

from kb.database import open_db
from tests.factories import add_article, add_claim, build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert("img")> '


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"datasette exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"datasette did not answer at {url} within {timeout}s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("browser") / "kb.db"
    engine = open_db(db_path)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        hostile = add_article(session, "hostile.html", title=PAYLOAD + "Hostile page")
        world.rows["c_hostile"] = add_claim(
            session, hostile, PAYLOAD + "Hostile hypothesis about alerts.", position=1
        )
        session.commit()
    port = _free_port()
    # The real `kb serve` (it execs the same Datasette command line users get).
    kb = Path(sys.executable).with_name("kb")
    proc = subprocess.Popen(
        [str(kb), "serve", "--no-build", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/-/versions.json", proc)
        yield base, world, db_path
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def page():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; tests/install_chromium.sh installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.dialogs = []  # any alert() would be an executed script
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        yield pg
        context.close()
        browser.close()


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_researcher_journey(server, page):
    base, world, db_path = server
    ms = world.ms

    # 1. home page: what the instance is, and the way in
    page.goto(base + "/")
    assert "evidence-kb" in page.title() or "evidence-kb" in page.inner_text("h1")
    assert page.get_by_role("link", name="evidence map chart").is_visible()
    _shot(page, "01-home")

    # 2. a condition's claims: the canned query's form, filled in as a person would
    page.get_by_role("link", name="claims about a condition").click()
    page.fill("input[name=condition]", ms.name)
    page.get_by_role("button", name="Run SQL").click()
    page.wait_for_selector("table.rows-and-columns")
    shown = set(page.locator("table.rows-and-columns td.col-claim_id").all_inner_texts())
    tagged = sqlite3.connect(db_path).execute(
        "select distinct claim_id from claim_condition where condition_id = ?", (ms.id,)
    )
    assert shown == {str(row[0]) for row in tagged}
    assert page.get_by_text(world.c_strong.text).first.is_visible()
    _shot(page, "02-claims-about-condition")

    # 3. one claim: its sentence with the marker highlighted, conditions, cited entries
    page.locator("td.col-claim_id a", has_text=str(world.c_strong.id)).first.click()
    page.wait_for_selector("#kb-claim-text")
    assert page.inner_text("#kb-claim-text") == world.c_strong.text
    assert page.locator("#kb-claim-text mark").all_inner_texts() == ["[1]"]
    assert ms.name in page.inner_text("#kb-conditions")
    cited = page.inner_text("#kb-cited")
    assert "randomised controlled trial" in cited and "verified" in cited
    _shot(page, "03-claim")

    # 4. its cited work
    page.locator("#kb-cited a.kb-work").first.click()
    page.wait_for_load_state()
    assert world.w_rct.title in page.content()
    assert page.get_by_text(world.w_rct.container_title).first.is_visible()
    _shot(page, "04-cited-work")

    # 5. full-text search over claims with the table's search box
    page.goto(base + "/kb/claim")
    page.fill("input[name=_search]", "fibromyalgia")
    page.locator("input[name=_search]").press("Enter")
    page.wait_for_url("**_search=fibromyalgia**")
    texts = page.locator("table.rows-and-columns td.col-text").all_inner_texts()
    claims = [v for v in world.rows.values() if type(v).__name__ == "Claim"]
    assert len(texts) == sum("fibromyalgia" in c.text.lower() for c in claims)
    assert all("fibromyalgia" in t.lower() for t in texts)
    _shot(page, "05-search")

    # 6. the evidence-map chart, and from a row of it back to that condition's claims
    page.goto(base + "/")
    page.get_by_role("link", name="evidence map chart").click()
    chart = page.locator("svg#evidence-map-chart")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    assert page.locator("svg#evidence-map-chart rect").count() >= 4
    assert ms.name in chart.text_content()
    _shot(page, "06-evidence-map")
    page.locator("svg#evidence-map-chart a", has_text=ms.name).first.click()
    page.wait_for_selector("table.rows-and-columns")
    assert page.get_by_text(world.c_strong.text).first.is_visible()
    assert page.dialogs == []


def test_hostile_text_never_runs_in_the_browser(server, page):
    base, world, db_path = server
    claim = world.c_hostile
    for path in (f"/kb/claim/{claim.id}", "/kb/claim?_search=hostile", "/kb/article"):
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.dialogs == [], path
        assert '<script>alert("xss")</script>' in page.inner_text("body"), path
    _shot(page, "07-hostile-claim-escaped")
