"""A synthetic file in the shape of missile_attacks_daily.csv, for scale tests and the import
benchmark (the real file is CC BY-NC-SA and not bundled).

    python -m tools.official_sample OUT.csv [--nights 900] [--seed 7]

Nights run back from 2025-09-30; each has one to six rows (reporting windows from the evening
to the morning, some daytime windows and bare dates), models drawn from data/official_models.csv
and a few multi-model strings, empty cells, and about one row in 200 deliberately bad (an
impossible hour, a count that is not a number, an end before the start).  Prints the number of
rows and of bad rows.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import random
from pathlib import Path

from strikes.official import COLUMNS

MODELS = (
    ("Shahed-136/131", 0.55, (20, 800)),
    ("X-101/X-555", 0.08, (5, 80)),
    ("Kalibr", 0.05, (2, 30)),
    ("Iskander-M/KN-23", 0.08, (1, 20)),
    ("Iskander-M", 0.04, (1, 10)),
    ("Kh-22", 0.03, (1, 10)),
    ("Kinzhal", 0.03, (1, 8)),
    ("X-59/X-69", 0.04, (1, 12)),
    ("Orlan-10", 0.03, (1, 6)),
    ("X-101/X-555 and Kalibr", 0.04, (5, 60)),
    ("S-300", 0.03, (1, 12)),
)


def generate(path: Path, *, nights: int = 900, seed: int = 7) -> tuple[int, int]:
    """Write the file; returns (rows, bad rows)."""
    rng = random.Random(seed)
    last = _dt.date(2025, 9, 30)
    names = [m for m, _, _ in MODELS]
    weights = [w for _, w, _ in MODELS]
    spans = {m: s for m, _, s in MODELS}
    n = bad = 0
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for k in range(nights, 0, -1):
            morning = last - _dt.timedelta(days=k)
            start = f"{morning - _dt.timedelta(days=1)} {rng.choice(['18:00', '19:00', '20:30'])}"
            end = f"{morning} {rng.choice(['06:00', '08:00', '09:30'])}"
            if rng.random() < 0.05:  # a daytime window
                start, end = f"{morning} 10:00", f"{morning} 15:00"
            elif rng.random() < 0.03:  # bare dates
                start = end = str(morning)
            chosen = rng.choices(names, weights, k=rng.randint(1, 6))
            for model in dict.fromkeys(chosen):
                lo, hi = spans[model]
                launched = rng.randint(lo, hi)
                destroyed = rng.randint(0, launched)
                row = dict.fromkeys(COLUMNS, "")
                row.update(
                    time_start=start,
                    time_end=end,
                    model=model,
                    launch_place=rng.choice(["Kursk", "Bryansk, Oryol", "Black Sea", ""]),
                    target="Ukraine",
                    launched=str(launched) if rng.random() > 0.02 else "",
                    destroyed=str(destroyed) if rng.random() > 0.03 else "",
                    not_reach_goal=f"{rng.randint(0, 9)}.0" if rng.random() < 0.2 else "",
                    is_shahed="1" if model.startswith("Shahed") else "0",
                    source=f"kpszsu/posts/{k}",
                )
                if not row["launched"] and not row["destroyed"]:
                    row["destroyed"] = str(destroyed)
                if rng.random() < 0.005:
                    bad += 1
                    fault = rng.randrange(3)
                    if fault == 0:
                        row["time_end"] = f"{morning} 25:00"
                    elif fault == 1:
                        row["launched"] = "dozens"
                    else:
                        row["time_start"] = f"{morning + _dt.timedelta(days=2)} 18:00"
                w.writerow([row[c] for c in COLUMNS])
                n += 1
    return n, bad


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--nights", type=int, default=900)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    rows, bad = generate(a.out, nights=a.nights, seed=a.seed)
    print(f"{a.out}: {rows} rows ({bad} bad)")


if __name__ == "__main__":
    main()
