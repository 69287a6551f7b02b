"""The README's production path from a fresh install: the wheel alone, in a temporary folder, far from the checkout.

`pip install` builds the same wheel; its dependencies are this environment's. The wheel must carry what `make demo`
has: compiled catalogues (a Dari operator is served Dari), templates, static assets, migrations and the call flow.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.factories import TEST_SECRETS

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package as a wheel installs it: built from the tracked files only, unpacked into a folder of its own."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know the tracked files")
    work = tmp_path_factory.mktemp("fresh")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    source = work / "src"
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(work / "dist"), str(source)], check=True, capture_output=True, timeout=300)
    (wheel,) = (work / "dist").glob("hotline-*.whl")
    site = work / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def _environment(site: Path, instance: Path, port: int) -> dict[str, str]:
    return {**os.environ, **TEST_SECRETS, "PYTHONPATH": str(site), "HOTLINE_MODE": "production",
            "HOTLINE_INSTANCE_PATH": str(instance), "HOTLINE_BIND": f"127.0.0.1:{port}", "HOTLINE_WORKERS": "1",
            "HOTLINE_THREADS": "2", "HOTLINE_LOG_LEVEL": "WARNING", "FLASK_RUN_FROM_CLI": ""}


def _hotline(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from hotline.cli import main; main()", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`hotline db upgrade` then `hotline serve`, run from a folder that is not the checkout."""
    home = tmp_path_factory.mktemp("server")
    port = _free_port()
    env = _environment(installed, home / "instance", port)
    where = _hotline(env, home, "--help")
    assert where.returncode == 0, where.stderr[-2000:]
    probe = subprocess.run([sys.executable, "-c", "import hotline; print(hotline.__file__)"], env=env, cwd=home,
                           capture_output=True, text=True, check=True)
    assert Path(probe.stdout.strip()).is_relative_to(installed), "the checkout was imported, not the install"
    upgraded = _hotline(env, home, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr[-3000:]
    log = (home / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-c", "from hotline.cli import main; main()", "serve"], env=env,
                              cwd=home, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"hotline serve exited: {(home / 'serve.log').read_text()[-3000:]}")
            try:
                if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"hotline serve did not answer: {(home / 'serve.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _get(url: str, language: str = "en") -> tuple[int, str]:
    response = requests.get(url, headers={"Accept-Language": language}, timeout=30)
    return response.status_code, response.content.decode("utf-8")


def test_the_wheel_carries_compiled_catalogues_and_content(installed: Path) -> None:
    package = installed / "hotline"
    for language in ("prs", "ps", "ur", "bn", "rhg", "th"):
        assert (package / "locales" / language / "LC_MESSAGES" / "messages.mo").stat().st_size > 0
    assert (package / "locales" / "prs-Latn" / "LC_MESSAGES" / "sms.mo").is_file()
    assert (package / "config" / "defaults.yaml").is_file() and (package / "ivr_scripts" / "default.yaml").is_file()
    assert (package / "migrations" / "env.py").is_file() and (package / "templates" / "console").is_dir()


def test_a_fresh_install_serves_dari_to_a_dari_operator(served: str) -> None:
    status, page = _get(f"{served}/console/login", "fa-AF,fa;q=0.9")
    assert status == 200
    assert 'lang="prs"' in page and 'dir="rtl"' in page
    assert "ورود" in page  # "Sign in" in Dari, from the compiled catalogue
    stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert _get(f"{served}{stylesheet}")[0] == 200


def test_a_fresh_install_answers_a_signed_call(served: str) -> None:
    from twilio.request_validator import RequestValidator

    url = f"{served}/twilio/voice"
    form = {"CallSid": "CA" + "1" * 32, "AccountSid": TEST_SECRETS["HOTLINE_TWILIO_ACCOUNT_SID"],
            "From": "+93701234567", "To": "+93790000000", "CallStatus": "ringing", "Direction": "inbound"}
    signature = RequestValidator(TEST_SECRETS["HOTLINE_TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    response = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
    assert response.status_code == 200 and "<Gather" in response.text
    unsigned = requests.post(url, data=form, timeout=30)
    assert unsigned.status_code == 403
