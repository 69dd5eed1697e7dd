"""`python -m bot sandbox` works on a fresh machine without a token, and its page looks like Discord in a real
browser (Debian's Chromium, headless, driven by Playwright)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's package `chromium` (see .ci/run)
# Headless as root, and nothing fetched from the network this machine cannot reach.
QUIET = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """One sandbox session: what it printed, and the page it wrote."""
    folder = tmp_path_factory.mktemp("sandbox")
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox"], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    page = Path(result.stdout.rsplit("See it as Discord shows it: ", 1)[1].strip())
    assert page == (folder / "sandbox.html").resolve() and page.is_file()
    return result.stdout, page


def test_sandbox_runs_a_scripted_session(sandbox: tuple[str, Path]) -> None:
    out, _page = sandbox
    assert "-> owner runs /setup set" in out and "Settings saved." in out
    assert "Only members with the Manage Server permission can do this." in out
    assert "unknown time zone 'Mars/Olympus_Mons'" in out
    assert "Your idea #1 is posted" in out and "You voted up ▲ on #1 Mint moustache wax" in out
    assert "**Status: Planned** (was new)" in out and "Following this idea: @alice @bob" in out
    assert "Poll #1 has closed. Winner: **Cedar 🪵** with 2 votes (67%)." in out
    assert "**Answer from sam_staff:**" in out and "Yes, next spring!" in out
    assert "Challenge #1 **Moustache parade** is scheduled." in out and ": Hats" in out
    assert " CET" in out and " UTC" not in out, "every time in the server's time zone, AMAs and challenges alike"
    assert out.index("the bot restarts") < out.rindex("Europe/Amsterdam")


@pytest.fixture(scope="module")
def browser_page(sandbox: tuple[str, Path]) -> Page:
    assert Path(CHROMIUM).exists(), f"Chromium is needed at {CHROMIUM}: apt-get install chromium (see .ci/run)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET)
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.goto(sandbox[1].as_uri())
        yield page
        browser.close()


def article(page: Page, text: str, index: int = 0) -> Locator:
    return page.locator("article").filter(has_text=text).nth(index)


def post(page: Page, title: str, index: int = 0) -> Locator:
    """The `index`th message whose embed has `title` (the same post as shown at different moments)."""
    return page.locator("article", has=page.locator(".embed-title", has_text=title)).nth(index)


def test_the_page_shows_embeds_with_their_colour_and_fields(browser_page: Page) -> None:
    page = browser_page
    expect(page).to_have_title("CoCreate sandbox: Moustache Co.")
    planned = post(page, "#1 Mint moustache wax", 1)  # the post once staff planned it
    embed = planned.locator(".embed")
    expect(embed).to_have_css("border-left-color", "rgb(52, 152, 219)")  # the status colour of "planned"
    expect(embed.locator(".field-name", has_text="Status")).to_be_visible()
    expect(embed.locator(".field-value", has_text="Planned")).to_be_visible()
    expect(planned.locator("button", has_text="▲ Upvote (1)")).to_be_enabled()


def test_ephemeral_replies_are_marked_and_public_posts_are_not(browser_page: Page) -> None:
    page = browser_page
    expect(article(page, "Settings saved.").locator(".ephemeral-note")).to_have_text("👁 Only you can see this")
    expect(post(page, "#1 Mint moustache wax").locator(".ephemeral-note")).to_have_count(0)
    assert page.locator(".ephemeral-note").count() >= 10


def test_markdown_is_formatted_not_printed_and_the_chart_is_shown(browser_page: Page) -> None:
    page = browser_page
    assert "**" not in page.locator("main").inner_text(), "Markdown is formatted, as Discord does"
    expect(page.locator("strong", has_text="Status: Planned")).to_be_visible()
    results = article(page, "Poll #1 has closed.")
    chart = results.locator(".embed img")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") == 1080, "the chart's PNG itself, decoded by the browser"
    expect(post(page, "Poll #1", 0).locator("button", has_text="Mint")).to_be_enabled()  # while it was open
    expect(post(page, "Poll #1", 1).locator("button", has_text="Mint")).to_be_disabled()


def test_times_are_shown_in_the_server_time_zone(browser_page: Page) -> None:
    page = browser_page
    when = post(page, "Meet the founders").locator(".field-value").nth(1).inner_text()
    assert re.search(r"\d{2}:\d{2} CET to .*CET", when), when
    assert not [text for text in page.locator("article").all_inner_texts() if "UTC" in text]
