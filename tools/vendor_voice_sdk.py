#!/usr/bin/env python3
"""Vendor Twilio's Voice JavaScript SDK into hotline/static/vendor/twilio-voice-sdk/ (served by the app, never a CDN).

Usage (from the repository root; needs npm and the npm registry): ``make voice-sdk``. The version and the tarball's
integrity are pinned here; to move the version, change both (``npm view @twilio/voice-sdk@X.Y.Z dist.integrity``).
Only the browser bundle (dist/twilio.min.js, which defines ``Twilio.Device``) and the licence are copied.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@twilio/voice-sdk"
VERSION = "2.18.5"
INTEGRITY = "sha512-2/tw1IDAIn7j6yFDOln8p93v3aHIxNIN93JwL98cHIlbkSNeU/Jt9zGM/0TvDpNjo+k88lvAew4jgOjKlc9/KA=="
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "hotline" / "static" / "vendor" / "twilio-voice-sdk"
FILES = {"package/dist/twilio.min.js": "twilio.min.js", "package/LICENSE.md": "LICENSE.md"}


def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=work, check=True,
                       stdout=subprocess.DEVNULL)
        tarball = next(Path(work).glob("*.tgz"))
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != INTEGRITY:
            print(f"{tarball.name}: integrity {digest} is not the pinned {INTEGRITY}", file=sys.stderr)
            return 1
        TARGET.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as archive:
            for member, name in FILES.items():
                source = archive.extractfile(member)
                if source is None:
                    print(f"{member} missing from {tarball.name}", file=sys.stderr)
                    return 1
                with source, (TARGET / name).open("wb") as out:
                    shutil.copyfileobj(source, out)
        (TARGET / "VERSION").write_text(f"{PACKAGE}@{VERSION}\n")
    print(f"vendored {PACKAGE}@{VERSION} into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
