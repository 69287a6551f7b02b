"""Download a file Twilio keeps for us (message media), with the account's credentials and a size limit."""

from __future__ import annotations

from dataclasses import dataclass

import requests

_TIMEOUT_SECONDS = 30
_CHUNK = 64 * 1024


class DownloadError(RuntimeError):
    """The file could not be fetched: HTTP error, Twilio unreachable, empty, or larger than the limit."""


@dataclass(frozen=True)
class Downloaded:
    """A fetched file and the content type Twilio declared for it."""

    data: bytes
    content_type: str


def download(url: str, account_sid: str, auth_token: str, max_bytes: int) -> Downloaded:
    """GET ``url`` with HTTP basic auth, following Twilio's redirect to its storage (requests drops the credentials
    on the way to another host); reads at most ``max_bytes``."""
    try:
        with requests.get(url, auth=(account_sid, auth_token), timeout=_TIMEOUT_SECONDS, stream=True) as response:
            if response.status_code != 200:
                raise DownloadError(f"Twilio answered HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadError("file larger than the limit")
                chunks.append(chunk)
            content_type = response.headers.get("Content-Type", "")
    except requests.RequestException as exc:
        raise DownloadError(f"Twilio unreachable: {type(exc).__name__}") from None
    if not size:
        raise DownloadError("empty file")
    return Downloaded(b"".join(chunks), content_type.split(";")[0].strip().lower())
