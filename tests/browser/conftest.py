"""Playwright fixtures: one Chromium per session, a fresh context per page, screenshots.

Chromium comes from the system (Debian's package, installed with apt in CI); Playwright never
downloads a browser here (ANJU_CHROMIUM names another binary). Without it the browser tests
are skipped locally and fail in CI (CI=true), so a broken CI image cannot pass silently.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("ANJU_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-Anju-2026"  # set by tests.factories.UserFactory
TIMEOUT_MS = 10_000
EXPECTED_LOAD_ERROR = re.compile(r"Failed to load resource: .*status of 4\d\d")
# ECharts grows its bars over a second; redraw them without animation so the screenshot
# shows the finished chart rather than a frame from the middle of the animation.
FINISH_CHARTS = """() => document.querySelectorAll("[data-chart]").forEach((el) => {
  const chart = window.echarts && window.echarts.getInstanceByDom(el);
  if (chart) { chart.setOption({animation: false}); }
})"""


@pytest.fixture(autouse=True)
def _restore_seed_rows(django_db_serialized_rollback):
    """Live-server tests empty the database when they end; a serialized rollback puts back
    what the migrations seeded (the calendar, the category tree and matrix) for the tests
    that run after them on the same worker."""


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an asyncio loop running in this thread for the rest of the
    # session; Django refuses ORM calls under a running loop unless told it is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


class Pages:
    """Open pages in fresh browser contexts, log in through the form, keep screenshots."""

    def __init__(self, browser, base_url: str, test_name: str):
        self.browser = browser
        self.base_url = base_url
        self.test_name = test_name
        self.contexts: list = []
        self.problems: list[str] = []

    def new(self, viewport: dict[str, int] = DESKTOP):
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            extra_http_headers={"Accept-Language": "zh-Hans,zh-CN;q=0.9"},
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", self._console)
        return page

    def _console(self, message) -> None:
        # Chromium logs every 4xx page as a failed load; the journeys expect some (a refused
        # form is a 400, another scope's page a 404) and check those statuses themselves.
        if message.type == "error" and not EXPECTED_LOAD_ERROR.search(message.text):
            self.problems.append(f"console: {message.text}")

    def login(self, page, username: str, password: str = PASSWORD) -> None:
        page.goto("/accounts/login/")
        form = page.get_by_test_id("login-form")
        form.locator("#id_username").fill(username)
        form.locator("#id_password").fill(password)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert page.url.rstrip("/") == self.base_url.rstrip("/"), page.url

    def shot(self, page, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate(FINISH_CHARTS)
        path = SCREENSHOTS / f"{self.test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server, request) -> Iterator[Pages]:
    name = re.sub(r"[^\w-]+", "-", request.node.name).strip("-")
    helper = Pages(browser, live_server.url, name)
    yield helper
    helper.close()
    assert not helper.problems, "\n".join(helper.problems)


@pytest.fixture
def no_horizontal_scroll() -> Callable:
    def check(page) -> None:
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"page is {widths[0]}px wide in a {widths[1]}px viewport"

    return check
