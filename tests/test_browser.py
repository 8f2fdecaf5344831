"""One end-to-end test in a real browser: Debian's headless Chromium driven by Playwright.

Starts the app on a free loopback port over the index built for this session, asks the
power-imbalance question, waits for a cited answer and its source cards, and saves
screenshots (desktop and phone width) and timings to bench/results/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest

from assistant.feedback import THUMBS_UP, FeedbackStore
from conftest import ROOT, free_port, system_tool, wait_until_up

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RESULTS = ROOT / "bench" / "results"


@pytest.fixture
def server(real_answerer, real_settings, tmp_path: Path):
    """The app as `make run` starts it; yields its URL and when the process started."""
    port = free_port()
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(real_settings.index_dir),
           "ASSISTANT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/_stcore/health", process)
    yield url, started, process.pid
    process.terminate()
    process.wait(timeout=20)


def _rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) // 1024


def _ask(page, question: str, answers_before: int) -> float:
    """Type a question, wait for a new cited answer with source cards; returns seconds taken."""
    started = time.perf_counter()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(2 * answers_before + 1)
    answer.get_by_text("[1]", exact=False).first.wait_for(timeout=60_000)
    answer.get_by_test_id("stExpander").first.wait_for(timeout=60_000)
    return time.perf_counter() - started


def test_a_person_asks_in_a_real_browser_and_gets_a_cited_answer(server, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    chromium = system_tool(("chromium", "chromium-browser"), "scripts/install-browser.sh")
    url, started, pid = server
    RESULTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context()
        requested: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(url)
        _ask(page, "How do we handle a power imbalance with a smaller partner?", 0)
        cold_start = time.perf_counter() - started
        first = page.get_by_test_id("stChatMessage").nth(1)
        assert "power" in first.inner_text()
        page.get_by_test_id("stExpander").first.click()
        page.screenshot(path=str(RESULTS / "chat-desktop.png"), full_page=True)
        for thumb in ("Thumbs down", "Thumbs up"):  # a reader changing their mind
            first.get_by_role("radio", name=thumb).click()
            page.wait_for_timeout(800)  # the rerun it starts
            _settled(page)
        ratings = FeedbackStore(tmp_path / "feedback.sqlite3").ratings()  # one row, changed: not a second one
        assert [(r.question, r.rating) for r in ratings] == [("How do we handle a power imbalance with a smaller partner?",
                                                              THUMBS_UP)]
        warm = _ask(page, "What did they learn?", 1)
        for name in ("browse", "briefing"):
            page.goto(f"{url}/{name}")
            page.get_by_test_id("stMainBlockContainer").wait_for(timeout=60_000)
        page.goto(url)

        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.goto(url)
        _ask(phone, "What did Touchstone learn?", 0)
        phone.screenshot(path=str(RESULTS / "chat-phone.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling

        one_session = _rss_mb(pid)
        sessions = [browser.new_page() for _ in range(5)]
        for session in sessions:
            session.goto(url)
        for session in sessions:
            _ask(session, "What makes a good lead partner?", 0)
        five_sessions = _rss_mb(pid)
        browser.close()
    outside = sorted({r.split("/")[2] for r in requested if r.startswith("http") and not r.startswith(url)})
    assert not outside, f"pages asked hosts other than the app: {outside}"  # nothing fetched from outside
    assert five_sessions - one_session < 300  # one model and one index, shared by every session
    figures = {"cold_start_to_first_answer_s": round(cold_start, 2), "warm_answer_s": round(warm, 2),
               "server_rss_mb_one_session": one_session, "server_rss_mb_five_more_sessions": five_sessions}
    (RESULTS / "browser.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(figures)


AXE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def _axe_script() -> Path:
    if not AXE.is_file():
        message = "axe-core is not installed (make test installs it: scripts/install-axe.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def _serious_violations(page, axe: Path) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands (injected from the local
    file: the page asks no other host for it)."""
    page.add_script_tag(path=str(axe))
    return page.evaluate("""async () => (await axe.run()).violations
        .filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.id} (${v.impact}) on ${v.nodes.length}: ${v.nodes[0].target.join(' ')}`)""")


def _settled(page) -> None:
    """Wait until the app has finished its run, as a person waits for the page to settle."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)


def _set_case_filter(page, case: str) -> None:
    """Through the "Focus" button in the main area, beside the question box (no sidebar needed)."""
    _settled(page)  # a rerun still drawing the page would redraw the pickers and drop the choice
    page.get_by_role("button", name="Focus").click()
    page.get_by_role("combobox", name="Case studies").click()
    page.get_by_role("option", name=case).click()
    page.keyboard.press("Escape")  # the list of options
    if page.get_by_test_id("stPopoverBody").is_visible():
        page.keyboard.press("Escape")  # and the pickers
    page.get_by_test_id("stPopoverBody").wait_for(state="hidden")


def _scrolled(page) -> int:
    """How far the page, or any part of it, is scrolled down: 0 when it shows its top."""
    page.wait_for_timeout(1500)  # Streamlit scrolls a chat page to its bottom as it settles, if it does
    return page.evaluate("() => Math.max(window.scrollY, ...[...document.querySelectorAll('*')].map(e => e.scrollTop))")


def _follow_first_citation(page, container) -> None:
    """Click [1] in `container` and wait for its source card to open on the cited text in bold."""
    _settled(page)  # a rerun still drawing the cards would close the one the click opened
    card = page.get_by_test_id("stExpander").filter(has_text="[1]").first
    cited = card.locator("strong").first
    assert not cited.is_visible()  # the source cards start closed
    container.get_by_role("link", name="[1]").first.click()
    cited.wait_for(state="visible", timeout=10_000)


def _copy_first_answer(page, screenshot: Path) -> str:
    """The text "Copy answer" puts on the clipboard, through the code block's own copy button."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy answer").first.click()
    text = page.get_by_test_id("stPopoverBody").get_by_test_id("stCode")
    text.hover()
    page.screenshot(path=str(screenshot))
    text.get_by_role("button", name="Copy to clipboard").click()
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    page.get_by_role("button", name="Copy answer").first.click()  # closes it again
    text.wait_for(state="hidden")
    return copied


def _themes_list_fits(page, width: int) -> None:
    """The themes map as a list: each case study a whole, readable label and a target big enough to tap."""
    page.get_by_role("tab", name="Themes map").click()
    options = page.get_by_role("radiogroup", name="Case studies, the strongest on this theme first").locator("label")
    options.first.wait_for(timeout=30_000)
    assert options.count() == 8
    boxes = [options.nth(i).bounding_box() for i in range(options.count())]
    for i, box in enumerate(boxes):
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
        assert options.nth(i).evaluate("e => e.scrollWidth <= e.clientWidth")  # not cut off
    centres = [box["y"] + box["height"] / 2 for box in boxes]
    assert min(b - a for a, b in pairwise(centres)) >= 24  # WCAG 2.5.8: targets 24 px apart
    options.nth(1).click()  # a tap shows the passages behind that case study and theme
    chosen = options.nth(1).inner_text().strip()
    page.get_by_text(f"× {chosen}: the passages behind this").wait_for(timeout=30_000)


def test_each_page_at_both_widths_passes_axe_shows_its_filters_and_keeps_the_conversation(server):
    from playwright.sync_api import sync_playwright

    chromium = system_tool(("chromium", "chromium-browser"), "scripts/install-browser.sh")
    axe = _axe_script()
    url, _, _ = server
    findings: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for width, height in ((1366, 900), (390, 844)):
            page = browser.new_page(viewport={"width": width, "height": height}, is_mobile=width < 500)
            page.goto(url)
            page.get_by_role("button", name="What makes a good lead partner?").wait_for(timeout=60_000)
            assert _scrolled(page) == 0  # opens at its top, the title in view, not scrolled to the question box
            _ask(page, "How do partners build trust?", 0)
            assert page.title() == "Ask · Case-study lessons"  # each page its own tab title, once it has run
            _follow_first_citation(page, page.get_by_test_id("stChatMessage").nth(1))
            copied = _copy_first_answer(page, RESULTS / f"copy-{width}.png")
            assert "trust" in copied and "\nSources:\n[1] " in copied and "**" not in copied
            _set_case_filter(page, "Touchstone and Live Well Leeds")
            chip = page.get_by_role("button", name="✕ Touchstone and Live Well Leeds")
            chip.wait_for(timeout=30_000)
            assert chip.is_visible()  # in the main area, beside the question box, at both widths
            findings[f"ask-{width}"] = _serious_violations(page, axe)
            page.screenshot(path=str(RESULTS / f"ask-{width}.png"), full_page=True)

            page.reload()  # the conversation is found again through the address
            page.get_by_test_id("stChatMessage").nth(1).get_by_text("[1]", exact=False).first.wait_for(timeout=60_000)
            assert "How do partners build trust?" in page.get_by_test_id("stChatMessage").nth(0).inner_text()
            _ask(page, "What did Touchstone learn?", 1)  # a later answer comes into view by itself
            page.wait_for_timeout(1500)
            latest = page.get_by_test_id("stChatMessage").nth(3).bounding_box()
            assert latest["y"] < height and latest["y"] + latest["height"] > 0, latest

            for name, title in (("browse", "Browse the case studies"), ("briefing", "Board briefing")):
                page.goto(f"{url}/{name}")
                page.get_by_test_id("stMainBlockContainer").wait_for(timeout=60_000)
                if name == "briefing":
                    box = page.get_by_role("textbox", name="Topic")
                    box.fill("Managing a power imbalance")
                    box.press("Enter")
                    page.get_by_role("button", name="Download as Word").wait_for(timeout=60_000)
                    _follow_first_citation(page, page.get_by_test_id("stMarkdown").filter(has_text="Summary"))
                else:
                    page.get_by_text("Organisations:").first.wait_for(timeout=60_000)
                    assert _scrolled(page) == 0
                assert page.title() == f"{title} · Case-study lessons"
                findings[f"{name}-{width}"] = _serious_violations(page, axe)
                page.screenshot(path=str(RESULTS / f"{name}-{width}.png"), full_page=True)
            page.goto(f"{url}/browse")
            page.get_by_text("Organisations:").first.wait_for(timeout=60_000)
            page.get_by_role("tab", name="Guide").click()
            _follow_first_citation(page, page.get_by_test_id("stMarkdown").filter(has_text="At a glance"))
            findings[f"guide-{width}"] = _serious_violations(page, axe)
            page.screenshot(path=str(RESULTS / f"guide-{width}.png"), full_page=True)
            _themes_list_fits(page, width)
            findings[f"map-{width}"] = _serious_violations(page, axe)
            page.screenshot(path=str(RESULTS / f"map-{width}.png"), full_page=True)
            page.close()
        browser.close()
    (RESULTS / "axe.json").write_text(json.dumps(findings, indent=2) + "\n")
    assert {page: found for page, found in findings.items() if found} == {}
