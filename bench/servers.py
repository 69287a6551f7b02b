"""Start and stop gunicorn instances of Hotline on loopback (the scale-out test and the soak benchmark)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "hotline" / "config"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One gunicorn master and its workers."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path
    handle: IO[bytes] | None = None

    def rss_kib(self) -> int:
        """Resident memory of the master and its workers, in KiB (from /proc)."""
        pids = [self.process.pid, *_children(self.process.pid)]
        return sum(_rss(pid) for pid in pids)

    def stop(self) -> None:
        """Stop gunicorn (SIGTERM, then SIGKILL after ten seconds)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.handle is not None:
            self.handle.close()


def start_gunicorn(env: dict[str, str], log: Path, app: str = "hotline.wsgi:app", workers: int = 2,
                   threads: int = 2) -> Server:
    """Start gunicorn on a free loopback port and wait until /healthz answers."""
    port = free_port()
    argv = [str(Path(sys.executable).with_name("gunicorn")), "-c", str(CONFIG_DIR / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads), app]
    handle = log.open("wb")
    process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env}, stdout=handle,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(process, f"http://127.0.0.1:{port}", log, handle)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            handle.close()
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer in 30 s:\n{log.read_text()[-3000:]}")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
