"""The report page in a real headless browser (Debian's Chromium, driven by
Playwright): it loads with no console error and no request leaving the file, every
plot renders at its size, and a screenshot is kept as a test artifact
(reports/test-artifacts/report.png)."""

import shutil
from pathlib import Path

import pytest

from runbook_drill.harness.report import html
from runbook_drill.harness.runbook import Runbook
from tests.support.journals import journal

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "reports" / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own background traffic (updates, sync, lookups) off: the page must be the only source.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    records = [journal("db-refused"),
               journal("db-pod-restarted", "failed", verdicts=[{"check": "500 rate > 1.0%", "status": "fail",
                                                               "evidence": {"error_rate": 0.0}}])]
    return html.write(records, Runbook(), tmp_path_factory.mktemp("report") / "index.html", "browser test")


@pytest.fixture(scope="module")
def browser_page(report):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs Debian's chromium package"
    seen = {"console": [], "requests": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: seen["console"].append(f"pageerror: {e}"))
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
            yield page, seen
        finally:
            browser.close()


def test_the_page_loads_with_no_console_error_and_no_request_leaving_the_file(browser_page, report):
    page, seen = browser_page
    assert seen["console"] == []
    assert seen["requests"] == [report.as_uri()]
    assert page.title() == "browser test"


def test_every_plot_renders_at_its_size_with_its_traces(browser_page):
    page, _ = browser_page
    plots = page.locator(".js-plotly-plot")
    assert plots.count() == 2
    for i in range(2):
        box = plots.nth(i).locator(".main-svg").first.bounding_box()
        assert box["width"] >= 1000 and box["height"] == 640
        assert plots.nth(i).locator(".scatterlayer .trace").count() >= 5  # p99, errors, ready, 2 replicas


def test_a_screenshot_is_kept_as_a_test_artifact(browser_page):
    page, _ = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
