"""Synthetic demo files (lists and candidates) for `gongxin demo-data` and `gongxin demo load`."""

from __future__ import annotations

import csv
from pathlib import Path

from gongxin.core.synthetic import CANDIDATE_HEADERS, LIST_HEADERS, Generator, SyntheticEntry

SAMPLE = 20_000  # entries kept in memory to draw candidate hits from


def write_list(
    path: Path, gen: Generator, entries: int, masked_share: float = 0.1, org_share: float = 0.05
) -> list[SyntheticEntry]:
    """Write a list file; return an evenly spread sample of its entries (reservoir sampling)."""
    sample: list[SyntheticEntry] = []
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(LIST_HEADERS)
        for i, entry in enumerate(
            gen.entries(entries, masked_share=masked_share, org_share=org_share)
        ):
            writer.writerow(entry.row())
            if len(sample) < SAMPLE:
                sample.append(entry)
            elif (j := gen.rng.randrange(i + 1)) < SAMPLE:
                sample[j] = entry
    return sample


def write_candidates(
    path: Path, gen: Generator, count: int, hits: list[SyntheticEntry], hit_share: float
) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CANDIDATE_HEADERS)
        writer.writerows(gen.candidates(count, hits, hit_share))
