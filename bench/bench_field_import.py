"""Benchmark: reading and checking a paper-form CSV (hotline.field.paper.parse_file) against a floor that only splits
the same bytes into rows with the csv module, in the same run. The ratio is what to compare across machines.

    .venv/bin/python bench/bench_field_import.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import csv
import io
import time

from hotline.field.paper import parse_file

HEADER = "focal_point,date_heard,country,admin1,language,source,people,place,text\n"
TEXTS = ("The border opens in March", "مرز در ماه حمل باز می‌شود", "সীমান্ত মার্চে খুলবে", "Kapal berangkat Jumat")


def sample(rows: int) -> bytes:
    """A CSV of ``rows`` distinct rows in several scripts, dates in several forms."""
    lines = [HEADER]
    for i in range(rows):
        day = f"{1 + i % 28:02d}/03/2026" if i % 2 else f"2026-03-{1 + i % 28:02d}"
        lines.append(f",{day},AF,AF-KAB,prs,neighbour,{1 + i % 50},Place {i},{TEXTS[i % 4]} #{i}\n")
    return "".join(lines).encode("utf-8")


def best_of(runs: int, work: object) -> float:
    """The fastest of ``runs`` timings of ``work()`` in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print rows/s for both and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    rows = parser.parse_args().rows
    data = sample(rows)
    floor = best_of(5, lambda: list(csv.reader(io.StringIO(data.decode("utf-8")))))
    parsed = best_of(5, lambda: parse_file(data, "bench.csv", known_languages=("prs",)))
    check = parse_file(data, "bench.csv", known_languages=("prs",))
    assert len(check.rows) == rows and not check.errors
    print(f"floor (csv.reader)      {rows / floor:12.0f} rows/s")
    print(f"parse_file (checked)    {rows / parsed:12.0f} rows/s")
    print(f"ratio parse_file/floor  {floor / parsed:12.3f}")


if __name__ == "__main__":
    main()
