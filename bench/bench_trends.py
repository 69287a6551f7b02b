"""Benchmark: the weekly trends aggregation over many reports, against the raw GROUP BY floor in the same run;
and the peak memory (RSS) of exporting 1,000,000 rows (CSV and XLSX writers, and the database export path).

The floor is the bare SQL ``GROUP BY`` over the same eight columns, fetched as tuples: what any aggregation must
pay. The subject is hotline.trends.queries.iter_cells (confirmed coding only, reviewed rumours via a join) plus
the suppression of hotline.trends.service.export_records. Ratios (subject time / floor time) are what to compare
across machines, not the absolute times.

    .venv/bin/python bench/bench_trends.py [--reports 1000000] [--db sqlite|postgresql|both] [--export-rows 1000000]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.db import build_engine
from hotline.exports.writers import csv_chunks, write_xlsx
from hotline.intake.inbound import iso_week_start
from hotline.intake.models import Contact, Report
from hotline.migrate import upgrade
from hotline.rumours.models import Rumour, RumourStatus
from hotline.trends.cells import TrendFilters
from hotline.trends.queries import iter_cells
from hotline.trends.service import ROW_CELL, ExportRecord, export_records

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH = "postgresql://postgres@127.0.0.1:5432/hotline_bench_trends"
START = datetime(2025, 1, 6, tzinfo=UTC)
DAYS = 700
PLACES = [("AF", "AF-NAN"), ("AF", "AF-KAB"), ("AF", "AF-HER"), ("PK", "PK-BA"), ("PK", "PK-KP"), ("BD", "BD-B"),
          ("BD", "BD-C"), ("LK", "LK-1"), ("ID", "ID-JK"), ("MY", "MY-14")]
LANGUAGES = ["prs", "ps", "haz", "ur", "bn", "rhg", "si", "ta", "ms", "id", "th", "en"]
CHANNELS = ["voice", "sms", "whatsapp", "field"]
TYPES = ["question", "rumour_belief", "concern_incident", "request"]
CATEGORIES = ["financial_gain", "smuggler_claims", "family_community", "dignity_exploitation", "destination_policy",
              "legal_pathways", "journey_risk", "protection_safety"]


def seed(url: str, reports: int) -> None:
    """Bulk insert ``reports`` reports (80% coded by a person, a quarter linked to rumours)."""
    engine = build_engine(url)
    rng = random.Random(7)
    with Session(engine) as session:
        user = User(email="bench@hotline.test", role="operator")
        contact = Contact(channel="sms", provider_id="BENCH")
        rumours = [Rumour(canonical_statement=f"claim {i}", category=rng.choice(CATEGORIES),
                          status=RumourStatus.REVIEWED if i % 3 else RumourStatus.CANDIDATE) for i in range(60)]
        session.add_all([user, contact, *rumours])
        session.commit()
        user_id, contact_id, rumour_ids = user.id, contact.id, [r.id for r in rumours]
    started, batch = time.perf_counter(), 20_000
    with engine.begin() as conn:
        for offset in range(0, reports, batch):
            rows = []
            for _ in range(min(batch, reports - offset)):
                received = START + timedelta(seconds=rng.randrange(DAYS * 86400))
                country, admin1 = rng.choice(PLACES)
                rows.append({
                    "contact_id": contact_id, "channel": rng.choice(CHANNELS), "received_at": received,
                    "week": iso_week_start(received), "type": rng.choice(TYPES), "category": rng.choice(CATEGORIES),
                    "language": rng.choice(LANGUAGES), "country": country, "admin1": admin1,
                    "coded_by_id": user_id if rng.random() < 0.8 else None,
                    "rumour_id": rng.choice(rumour_ids) if rng.random() < 0.25 else None,
                    "rumour_match_score": rng.choice([None, 0.4, 0.9]), "sensitivity": "normal",
                    "urgency": "normal", "urgency_rank": 2, "status": "new", "auto_answered": False,
                    "updated_at": received})
            conn.execute(insert(Report), rows)
            print(f"\r  seeded {offset + len(rows):,} reports", end="", file=sys.stderr, flush=True)
    print(f"\r  seeded {reports:,} reports in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    engine.dispose()


FLOOR_SQL = ("SELECT week, country, admin1, language, channel, type, category, rumour_id, count(*) FROM reports "
             "WHERE received_at >= :start AND received_at < :end "
             "GROUP BY week, country, admin1, language, channel, type, category, rumour_id")


def timed(label: str, fn: Callable[[], Iterable[object]], runs: int = 3) -> float:
    """Best of ``runs`` wall-clock seconds of draining ``fn()``."""
    best, count = float("inf"), 0
    for _ in range(runs):
        started = time.perf_counter()
        count = sum(1 for _ in fn())
        best = min(best, time.perf_counter() - started)
    print(f"  {label:34} {best:7.3f} s  ({count:,} rows)")
    return best


def aggregate(name: str, url: str) -> None:
    """The ratio of the trends aggregation to the raw GROUP BY floor."""
    engine = build_engine(url)
    filters = TrendFilters(START.date(), (START + timedelta(days=DAYS)).date())
    bounds = {"start": START, "end": START + timedelta(days=DAYS + 1)}
    if url.startswith("sqlite"):
        bounds = {key: value.strftime("%Y-%m-%d %H:%M:%S.%f") for key, value in bounds.items()}  # type: ignore[misc]
    with Session(engine) as session:
        floor = timed("floor: raw GROUP BY", lambda: session.execute(text(FLOOR_SQL), bounds))
        cells = timed("trends: iter_cells", lambda: iter_cells(session, filters, 0.6))
        exported = timed("trends: export_records (k=5)", lambda: export_records(session, filters, 5))
    print(f"{name:10} ratio iter_cells/floor = {cells / floor:.2f}   export_records/floor = {exported / floor:.2f}")
    engine.dispose()


def synthetic(rows: int) -> Iterator[ExportRecord]:
    """``rows`` export records, generated lazily."""
    monday = date(2026, 1, 5)
    for i in range(rows):
        yield ExportRecord("2026-W02", monday, ROW_CELL, "AF", "AF-NAN", LANGUAGES[i % 12], CHANNELS[i % 4],
                           TYPES[i % 4], CATEGORIES[i % 8], i, i % 50, None)


def _status_mib(field: str) -> float:
    """VmRSS or VmHWM (peak RSS) of this process, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Reset VmHWM so the peak measured is the export's, not the imports' (Linux clear_refs "5")."""
    Path("/proc/self/clear_refs").write_text("5")


def child(kind: str, rows: int, url: str, tmp: Path) -> None:
    """Run one export in this (fresh) process; print the peak RSS it added over the process after imports."""
    _reset_peak()
    before, started = _status_mib("VmRSS"), time.perf_counter()
    if kind == "csv":
        with (tmp / "x.csv").open("w", encoding="utf-8") as handle:
            for chunk in csv_chunks(synthetic(rows)):
                handle.write(chunk)
    elif kind == "xlsx":
        write_xlsx(str(tmp / "x.xlsx"), synthetic(rows))
    else:
        engine = build_engine(url)
        filters = TrendFilters(START.date(), (START + timedelta(days=DAYS)).date())
        with Session(engine) as session, (tmp / "db.csv").open("w", encoding="utf-8") as handle:
            for chunk in csv_chunks(export_records(session, filters, 5)):
                handle.write(chunk)
        engine.dispose()
    peak = _status_mib("VmHWM")
    print(f"{peak - before:.1f} {peak:.1f} {time.perf_counter() - started:.1f}")


def memory(rows: int, url: str, tmp: Path) -> None:
    """Peak memory (RSS) of exporting ``rows`` rows with each writer, and of the export from the database."""
    labels = {"csv": f"CSV writer, {rows:,} rows", "xlsx": f"XLSX writer (constant_memory), {rows:,} rows",
              "db": "CSV export from the database (all reports)"}
    for kind, label in labels.items():
        out = subprocess.run([sys.executable, __file__, "--child", kind, "--export-rows", str(rows), "--url", url,
                              "--tmp", str(tmp)], check=True, capture_output=True, text=True).stdout.split()
        print(f"  {label:46} peak RSS {out[1]:>6} MiB (+{float(out[0]):.1f} MiB over the process before it)"
              f"  {out[2]} s")


def _recreate_postgres() -> None:
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS hotline_bench_trends WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE hotline_bench_trends"))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--no-memory", action="store_true", help="Skip the export memory measurements.")
    parser.add_argument("--reuse", action="store_true",
                        help="PostgreSQL only: reuse an already seeded benchmark database.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--tmp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.export_rows, args.url, Path(args.tmp))
        return
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"sqlite": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "postgresql": POSTGRES_BENCH}
        names = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
        for name in names:
            print(f"{name}: {args.reports:,} reports over {DAYS} days", flush=True)
            if not (args.reuse and name == "postgresql"):
                if name == "postgresql":
                    _recreate_postgres()
                upgrade(urls[name])
                seed(urls[name], args.reports)
            aggregate(name, urls[name])
            if not args.no_memory:
                memory(args.export_rows, urls[name], Path(tmp))
            check = build_engine(urls[name])
            with check.connect() as conn:
                assert conn.execute(select(Report.id).limit(1)).first() is not None
            check.dispose()


if __name__ == "__main__":
    main()
