"""A small HTTP client that keeps cookies, and the headers htmx and storefront.js send."""

import http.client
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie

from bench.common import HOST


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


class Client:
    """Just enough of a browser: cookies, no redirects followed, no decompression."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, body: str = "") -> Response:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies and "Cookie" not in headers:
            headers["Cookie"] = self.cookie_header()
        try:
            connection.request(method, path, body=body.encode() or None, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def htmx(target: str, current_url: str) -> dict[str, str]:
    """The headers htmx 2 sends with a request."""
    return {"HX-Request": "true", "HX-Target": target, "HX-Current-URL": f"http://{HOST}{current_url}"}
