"""Download a file Twilio keeps for us (call recordings, message media), with the account's credentials and a size
limit. The one place that speaks HTTP to fetch them: the callers check the URL first (only Twilio paths, SSRF).

Twilio answers a media or recording download with a redirect to its storage on another host. Redirects are followed
here, by hand, so the rule is explicit: the account's credentials go only to the host (scheme, name and port) of the
URL that was checked, never to a host a redirect names.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

_TIMEOUT_SECONDS = 30
_CHUNK = 64 * 1024
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class DownloadError(RuntimeError):
    """The file could not be fetched: HTTP error, Twilio unreachable, empty, or larger than the limit."""


@dataclass(frozen=True)
class Downloaded:
    """A fetched file and the content type Twilio declared for it."""

    data: bytes
    content_type: str


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def download(url: str, account_sid: str, auth_token: str, max_bytes: int) -> Downloaded:
    """GET ``url`` with HTTP basic auth, following Twilio's redirects to its storage: the credentials are sent only
    while the request stays on ``url``'s own host, scheme and port. Reads at most ``max_bytes``."""
    origin = _origin(url)
    with requests.Session() as http:
        for _hop in range(MAX_REDIRECTS + 1):
            auth = (account_sid, auth_token) if _origin(url) == origin else None
            try:
                with http.get(url, auth=auth, timeout=_TIMEOUT_SECONDS, stream=True,
                              allow_redirects=False) as response:
                    if response.status_code in _REDIRECTS and response.headers.get("Location"):
                        url = urljoin(url, response.headers["Location"])
                        if urlsplit(url).scheme not in ("http", "https"):
                            raise DownloadError("Twilio redirected to an unsupported scheme")
                        continue
                    return _read(response, max_bytes)
            except requests.RequestException as exc:
                raise DownloadError(f"Twilio unreachable: {type(exc).__name__}") from None
    raise DownloadError("too many redirects")


def _read(response: requests.Response, max_bytes: int) -> Downloaded:
    if response.status_code != 200:
        raise DownloadError(f"Twilio answered HTTP {response.status_code}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise DownloadError("file larger than the limit")
        chunks.append(chunk)
    if not size:
        raise DownloadError("empty file")
    content_type = response.headers.get("Content-Type", "")
    return Downloaded(b"".join(chunks), content_type.split(";")[0].strip().lower())
