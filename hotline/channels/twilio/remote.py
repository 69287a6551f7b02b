"""Deleting what Twilio keeps for us (call recordings, message media) once we hold our own copy, or it is purged.

Twilio keeps recordings and media until they are deleted; left there, they outlive our retention periods and an
erasure. Deleting goes through Twilio's REST client (pointed at HOTLINE_TWILIO_API_BASE) and only to the paths of a
recording or a media item, built from the ids in the stored URL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

log = logging.getLogger("hotline.twilio")
# Stored URLs: https://api.twilio.com/2010-04-01/Accounts/AC…/Recordings/RE… (maybe .mp3/.wav/.json) and
# …/Messages/MM…/Media/ME…; anything else is not something we can (or need to) delete at Twilio.
_RECORDING = re.compile(r"/2010-04-01/Accounts/(AC[0-9a-f]{32})/Recordings/(RE[0-9a-f]{32})(\.(mp3|wav|json))?")
_MEDIA = re.compile(r"/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages/((?:MM|SM)[0-9a-f]{32})/Media/(ME[0-9a-f]{32})")

RemoteDeleter = Callable[[str], bool]


def remote_deleter(client: Client) -> RemoteDeleter:
    """``delete(url)``: delete the recording or media item at ``url`` at Twilio. True once it is gone (deleted now,
    already gone, or not a Twilio recording or media URL); False when Twilio could not be reached or refused, so the
    URL is kept and the delete tried again later."""

    def delete(url: str) -> bool:
        path = url.split("://", 1)[-1].partition("/")[2]
        path = "/" + path.split("?", 1)[0]
        account = client.api.v2010.accounts
        try:
            if match := _RECORDING.fullmatch(path):
                account(match.group(1)).recordings(match.group(2)).delete()
            elif match := _MEDIA.fullmatch(path):
                account(match.group(1)).messages(match.group(2)).media(match.group(3)).delete()
            else:
                return True  # not a Twilio file: nothing to delete there
        except TwilioRestException as exc:
            if exc.status == 404:
                return True  # deleted before (a retry after a lost answer)
            log.warning("Twilio refused to delete a file", extra={"status": exc.status})
            return False
        except (TwilioException, requests.RequestException) as exc:
            log.warning("Twilio unreachable: file not deleted there", extra={"reason": type(exc).__name__})
            return False
        return True

    return delete
