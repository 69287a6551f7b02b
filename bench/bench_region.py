"""Benchmark: pulling and merging the regional feeds of 10 peers of 1,000,000 reports each, against reading the
same aggregates from one local database table (the floor, measured in the same run).

Each peer's aggregates are generated synthetically (no report rows): per ISO week, its reports spread over
language x category x reviewed rumour cells, suppressed by hotline.region.tables.week_rows exactly as a
deployment publishes them, two years of weeks. The peer side signs each document (Ed25519) for the nonce the
subscriber sends; its cost is timed apart and left out of the subject. The subject is hotline.region.subscribe
.pull_peer for every peer (verify the signature, check order and suppression, store; 52 weeks a document, so two
documents a peer) then the merge: every stored week of every peer read back as the regional table
(hotline.region.regional_export.regional_week_records, what the export and the regional view read). The floor is a
plain ``SELECT`` of the same rows from one local table. The ratio (subject / floor) is what to compare across
machines.

    .venv/bin/python bench/bench_region.py [--peers 10] [--reports 1000000] [--weeks 104] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from hotline.db import build_engine, utcnow
from hotline.migrate import upgrade
from hotline.privacy.keys import PrivacyKeys
from hotline.region.document import FORMAT, public_key_text, sign
from hotline.region.publish import MAX_WEEKS
from hotline.region.regional_export import regional_week_records
from hotline.region.subscribe import add_peer, pull_peer
from hotline.region.tables import REGION_COLUMNS, week_rows
from hotline.trends.cells import Cell
from hotline.trends.weeks import week_label

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH = "postgresql://postgres@127.0.0.1:5432/hotline_bench_region"
FIRST_MONDAY = date(2024, 12, 2)
COUNTRIES = ["AF", "PK", "BD", "LK", "MV", "MY", "ID", "TH", "IN", "IR"]
LANGUAGES = ["prs", "ps", "haz", "ur", "bn", "rhg", "si", "ta", "dv", "ms", "id", "th", "en"]
CATEGORIES = ["financial_gain", "smuggler_claims", "family_community", "dignity_exploitation", "destination_policy",
              "legal_pathways", "journey_risk", "protection_safety"]
K = 5


def peer_weeks(index: int, reports: int, weeks: int) -> list[tuple[date, list[list[Any]]]]:
    """One peer's published weeks: ``reports`` spread over ``weeks`` and over its cells, suppressed with k."""
    rng = random.Random(index)
    country = COUNTRIES[index % len(COUNTRIES)]
    languages = rng.sample(LANGUAGES, 3)
    # Cells: every language x category, and four reviewed rumours a category (a quarter of the reports).
    cells: list[tuple[str, str, int | None]] = [(lang, cat, None) for lang in languages for cat in CATEGORIES]
    cells += [(lang, cat, 1 + CATEGORIES.index(cat) * 4 + r) for lang in languages for cat in CATEGORIES
              for r in range(4)]
    weights = [rng.paretovariate(1.2) * (3 if rumour is None else 0.25) for _, _, rumour in cells]
    total_weight = sum(weights)
    out = []
    per_week = reports / weeks
    for w in range(weeks):
        monday = FIRST_MONDAY + timedelta(weeks=w)
        volume = per_week * rng.uniform(0.7, 1.3)
        week_cells = [Cell(monday, country, None, lang, None, None, cat, rumour,
                           max(0, round(volume * weight / total_weight * rng.uniform(0.5, 1.5))))
                      for (lang, cat, rumour), weight in zip(cells, weights, strict=True)]
        out.append((monday, week_rows(monday, [c for c in week_cells if c.count], K)))
    return out


class Peer:
    """A synthetic peer: its key and weeks; answers a feed request as the publishing side does (signed)."""

    def __init__(self, index: int, reports: int, weeks: int) -> None:
        self.name = f"peer{index:02d}"
        self.key = Ed25519PrivateKey.generate()
        self.weeks = peer_weeks(index, reports, weeks)
        self.seconds = 0.0  # time spent producing answers (left out of the subject)

    def fetch(self, url: str, _token: str) -> bytes:
        started = time.perf_counter()
        query = parse_qs(urlsplit(url).query)
        since = date.fromisoformat(query["since"][0]) if "since" in query else None
        after = [(m, rows) for m, rows in self.weeks if since is None or m > since]
        batch = after[:MAX_WEEKS]
        document = {
            "format": FORMAT, "nonce": query["nonce"][0], "issued_at": utcnow().isoformat(),
            "since": since.isoformat() if since else None,
            "through": batch[-1][0].isoformat() if batch else None, "more": len(after) > MAX_WEEKS,
            "min_cell_count": K, "columns": [{"name": c.name, "hxl": c.hxl} for c in REGION_COLUMNS],
            "weeks": [{"week": week_label(m), "week_start": m.isoformat(), "min_cell_count": K, "rows": rows}
                      for m, rows in batch],
            "rumours": [], "messages": [], "adoptions": [], "evaluations": [],
        }
        body = json.dumps(sign(document, self.key), ensure_ascii=False).encode("utf-8")
        self.seconds += time.perf_counter() - started
        return body


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    count = fn()
    return time.perf_counter() - started, count


def run(url: str, peers: list[Peer]) -> None:
    upgrade(url)
    engine = build_engine(url)
    keys = PrivacyKeys.from_secret("bench-region-secret-0123456789abcdef")
    with Session(engine) as session:
        stored = [add_peer(session, keys, p.name, "https://example.org/api/v1/region/feed",
                           public_key_text(p.key), "htl_bench_token") for p in peers]
        session.commit()
        ids = {p.name: s.id for p, s in zip(peers, stored, strict=True)}

    def pull_all() -> int:
        weeks = 0
        with Session(engine) as session:
            for peer in peers:
                row = session.get_one(type(stored[0]), ids[peer.name])
                weeks += pull_peer(session, keys, row, utcnow(), peer.fetch).weeks
            session.commit()
        return weeks

    def merge() -> int:
        with Session(engine) as session:
            return sum(1 for _ in regional_week_records(session, "here"))

    pulled, weeks = timed(pull_all)
    produced = sum(p.seconds for p in peers)
    merged, rows = min((timed(merge) for _ in range(3)), key=lambda t: t[0])

    # The floor: the same rows in one local table, read back as tuples.
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_floor (peer VARCHAR(64), iso_week VARCHAR(10), week_start DATE, "
                          "row_kind VARCHAR(16), country VARCHAR(8), language VARCHAR(8), category VARCHAR(32), "
                          "rumour_id INTEGER, count INTEGER, suppressed VARCHAR(16))"))
        conn.execute(text("INSERT INTO bench_floor VALUES (:p, :w, :s, :r, :c, :l, :g, :u, :n, :x)"),
                     [{"p": p.name, "w": r[0], "s": date.fromisoformat(r[1]), "r": r[2], "c": r[3], "l": r[4],
                       "g": r[5], "u": r[6], "n": r[7], "x": r[8]} for p in peers for _, rows in p.weeks
                      for r in rows])

    def floor() -> int:
        with engine.connect() as conn:
            return len(conn.execute(text("SELECT * FROM bench_floor ORDER BY peer, week_start")).all())

    floor_seconds, floor_rows = min((timed(floor) for _ in range(3)), key=lambda t: t[0])
    subject = pulled - produced + merged
    print(f"  peers' side (build, sign, serialise; excluded)  {produced:7.2f} s")
    print(f"  pull: verify, check, store {weeks:,} weeks        {pulled - produced:7.2f} s")
    print(f"  merge: read the regional table ({rows:,} rows)  {merged:7.3f} s")
    print(f"  floor: SELECT the same rows ({floor_rows:,})       {floor_seconds:7.3f} s")
    print(f"ratio (pull + merge) / floor = {subject / floor_seconds:.1f}   merge alone / floor = "
          f"{merged / floor_seconds:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=int, default=10)
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports per peer")
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    started = time.perf_counter()
    peers = [Peer(i, args.reports, args.weeks) for i in range(args.peers)]
    cells = sum(len(rows) for p in peers for _, rows in p.weeks)
    hidden = sum(1 for p in peers for _, rows in p.weeks for r in rows if r[7] is None)
    print(f"{args.peers} peers x {args.reports:,} reports over {args.weeks} weeks: {cells:,} published rows "
          f"({hidden:,} suppressed), generated in {time.perf_counter() - started:.1f} s")
    if args.db == "postgresql":
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS hotline_bench_region"))
            conn.execute(text("CREATE DATABASE hotline_bench_region"))
        admin.dispose()
        run(POSTGRES_BENCH, peers)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'region.db'}", peers)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
