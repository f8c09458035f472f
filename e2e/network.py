"""A slow network on demand: the server answers at once, the browser gets the answer when the test says.

    slow = SlowAnswers(page, "**/products/?*")
    catalog.next_page()          # the server has answered; the browser waits
    slow.wait_for(1)
    ...                          # the shopper acts again meanwhile
    slow.release()               # the old answer arrives now, late

Each held request really reached the server (Playwright's route.fetch), as on a slow network where
the answer, not the question, is late. Only the requests that `holds` accepts are held, and only
until `hold = False`.
"""

import contextlib
import time
from collections.abc import Callable

from playwright.sync_api import APIResponse, Page, Request, Route
from playwright.sync_api import Error as PlaywrightError


class SlowAnswers:
    def __init__(self, page: Page, url: str, holds: Callable[[Request], bool] = lambda request: True) -> None:
        self.page = page
        self.holds = holds
        self.hold = True
        self.held: list[tuple[Route, APIResponse]] = []
        page.route(url, self._handle)

    def _handle(self, route: Route) -> None:
        if not self.hold or not self.holds(route.request):
            route.continue_()
            return
        self.held.append((route, route.fetch()))

    def wait_for(self, count: int, timeout: float = 10) -> None:
        """Until `count` answers are held (the requests are sent when the browser decides to)."""
        deadline = time.monotonic() + timeout
        while len(self.held) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.held)} of {count} requests reached the held route")
            self.page.wait_for_timeout(20)  # lets Playwright dispatch the route handlers

    def release(self) -> None:
        """Deliver every held answer, late; one the page gave up waiting for is dropped by the browser."""
        self.hold = False
        for route, response in self.held:
            with contextlib.suppress(PlaywrightError):  # the page aborted that request meanwhile
                route.fulfill(response=response)
        self.held.clear()
