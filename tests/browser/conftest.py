"""Fixtures for browser tests: Debian's Chromium driven by Playwright, one browser per run
and a fresh context and page per test, and axe-core for accessibility checks.

    def test_login_page(page, live_leerid, axe):
        page.goto(live_leerid.url + "/login")
        page.get_by_label("Gebruikersnaam").fill("noella")
        axe(page)

Without Chromium (or npm, for axe) the tests skip on a developer's machine and fail on CI
(CI=true), which must never skip them silently. Set LEERID_CHROMIUM to use another binary.

Plain fixtures rather than pytest-playwright: that plugin manages Playwright's own browser
builds, which cannot be downloaded here, and adds options this suite does not need.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

from tests.browser.checks import FAILURES, Axe, narrow, touch_targets
from tests.conftest import TOOL_SETTINGS
from tests.npm import npm_install

HERE = Path(__file__).parent
CHROMIUM = TOOL_SETTINGS.get("LEERID_CHROMIUM", "/usr/bin/chromium")
# Headless without a sandbox (CI runs as root); nothing may reach for the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A classroom tablet in landscape, in Dutch: Chromium would otherwise ask for English.
DEFAULT_CONTEXT = {"viewport": {"width": 1024, "height": 768}, "locale": "nl-BE"}
# Playwright waits up to 30 s by default; a page on 127.0.0.1 that needs 10 s is broken.
TIMEOUT_MS = 10_000
ON_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in tests/browser as `browser`, so CI can select or leave them out."""
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the test, so a failed test's pages can be saved."""
    report: pytest.TestReport = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _missing(reason: str) -> NoReturn:
    if ON_CI:
        pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, once per run."""
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set LEERID_CHROMIUM")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's headless Chromium, shared by all browser tests of the run."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def context_options() -> dict[str, Any]:
    """Options for the test's browser contexts; override or parametrize to change them."""
    return dict(DEFAULT_CONTEXT)


@pytest.fixture
def browser_problems() -> list[str]:
    """Page errors and Content-Security-Policy violations seen in the test's pages."""
    # `new_page` fails the test when any are left at its end; a test that provokes one on
    # purpose checks it here and clears the list.
    return []


@pytest.fixture
def new_page(
    browser: Browser,
    context_options: dict[str, Any],
    browser_problems: list[str],
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., Page]]:
    """Open pages, each in a fresh browser context; `options` override `context_options`."""
    # At the end of the test a page error (an uncaught exception) or anything the
    # Content-Security-Policy blocked fails it; a failed test's pages are saved as PNGs in
    # tests/artifacts/failures/.
    contexts: list[BrowserContext] = []

    def on_console(message: ConsoleMessage) -> None:
        # Chromium reports what the policy blocked only on the console.
        if "Content Security Policy" in message.text:
            browser_problems.append(f"{message.type}: {message.text}")

    def open_page(**options: Any) -> Page:
        context = browser.new_context(**{**context_options, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: browser_problems.append(f"page error: {error}"))
        page.on("console", on_console)
        return page

    yield open_page
    reports = request.node.stash.get(_REPORTS, {})
    if "call" in reports and reports["call"].failed:
        _save_failed_pages(request.node.nodeid, contexts)
    for context in contexts:
        context.close()
    assert not browser_problems, "in the browser:\n  " + "\n  ".join(browser_problems)


def _save_failed_pages(nodeid: str, contexts: list[BrowserContext]) -> None:
    name = re.sub(r"[^\w.-]+", "_", nodeid)
    FAILURES.mkdir(parents=True, exist_ok=True)
    pages = [page for context in contexts for page in context.pages]
    for number, page in enumerate(pages, 1):
        page.screenshot(path=FAILURES / f"{name}-{number}.png", full_page=True)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page in a fresh browser context with `context_options`."""
    return new_page()


@pytest.fixture(scope="session")
def axe() -> Axe:
    """axe-core from npm (installed from the lock file on first use), as a page check."""
    script = HERE / "node_modules" / "axe-core" / "axe.min.js"
    if not npm_install(HERE, script):
        _missing("npm not found: it installs axe-core for the accessibility checks")
    return Axe(script.read_text(encoding="utf-8"))


@pytest.fixture
def check_page(axe: Axe) -> Callable[[Page], None]:
    """All checks a pupil's page must pass: axe, touch targets, and no sideways scroll."""

    def check(page: Page) -> None:
        axe(page)
        touch_targets(page)
        narrow(page)

    return check
