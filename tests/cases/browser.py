"""What the cases browser tests share besides tests/browser.py: agents' desks, boosted forms, reading a page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser import LAPTOP, ConsoleErrors, log_in

ACTION_TIMEOUT_MS = 10_000  # a console page answers in milliseconds; waiting 30 s only slows a failure


class Desks:
    """Agents' desks on one live console: each agent logs in through the form once, later pages reuse it.

    Checking a password is deliberately slow, so a module that opens the console a dozen times as four
    agents logs in four times and hands the session cookies to the next browser contexts.
    """

    def __init__(self, base_url: str, browser: Browser) -> None:
        self.base_url = base_url
        self.browser = browser
        self._cookies: dict[str, list[Any]] = {}

    def sit(self, page: Page, email: str) -> Page:
        """``page`` as ``email``, on the inbox."""
        page.context.set_default_timeout(ACTION_TIMEOUT_MS)
        if email not in self._cookies:
            log_in(page, self.base_url, email)
            self._cookies[email] = page.context.cookies()
            return page
        page.context.add_cookies(self._cookies[email])
        page.goto(f"{self.base_url}/inbox")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        return page

    def another(self, email: str, errors: ConsoleErrors) -> Page:
        """A colleague at another desk: a browser context of their own, watched for console errors."""
        context = self.browser.new_context(viewport=LAPTOP)
        return self.sit(errors.watch(context.new_page()), email)


def submit_and_wait(page: Page, button: Locator) -> None:
    """Click ``button`` and wait until the page it leads to has replaced this one.

    A boosted form swaps the page in place, so what is on screen just after the click may still be
    the old page; reading it then would check the wrong results.
    """
    page.locator("main").evaluate("main => main.dataset.replaced = 'no'")
    button.click()
    expect(page.locator("main[data-replaced='no']")).to_have_count(0)


def main_text(page: Page) -> str:
    """What the page shows in its main area, as the agent reads it."""
    return page.locator("main").inner_text()
