"""Screening candidates against the lists as of a date (DESIGN §1 step 3).

An entry counts on day D when listed_on <= D and it was not removed on or before D. Same
candidates and same date give the same answer, whatever was imported since, because entries are
never deleted and removal only ever sets a date. A screening reads one list version (the latest
when it starts): rows of an import still being staged, or switched on while the screening runs,
are not part of it (decision 0009).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

from gongxin.core import clock, idnumber, names
from gongxin.core.matching import MatchClass, classify, strongest
from gongxin.platform.errors import Problem
from gongxin.platform.limits import candidates_max, split_advice, too_many_candidates
from gongxin.platform.sealed import checked_keyring
from gongxin.registry import keys
from gongxin.registry.candidate_table import (
    CandidateInput,
    guess_columns,
    header_columns,
    inputs,
)
from gongxin.registry.choices import SubjectKind
from gongxin.registry.files import Limits, open_table
from gongxin.registry.models import ListEntry, ListImport, ListSource, MaskLayout, current_version
from gongxin.registry.pipeline import masked_material

LOOKUP_BATCH = 2000  # candidates per query pair
MAX_PARAMETERS = 30_000  # per query: under the 32,766 of SQLite's stock build


@dataclass
class EntryMatch:
    source: str
    source_name: str
    entry_id: int
    match: MatchClass
    listed_on: dt.date
    removed_on: dt.date | None
    authority: str
    basis_document: str
    case_number: str

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "source_name": self.source_name,
            "entry_id": self.entry_id,
            "match": str(self.match),
            "listed_on": self.listed_on.isoformat(),
            "removed_on": self.removed_on.isoformat() if self.removed_on else None,
            "authority": self.authority,
            "basis_document": self.basis_document,
            "case_number": self.case_number,
        }


@dataclass
class CandidateResult:
    row: int
    name: str
    id_number: str = field(repr=False)  # normalised; never printed, never serialised
    position: str
    match: MatchClass = MatchClass.NONE
    entries: list[EntryMatch] = field(default_factory=list)

    @property
    def id_number_masked(self) -> str:
        return idnumber.mask(self.id_number)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "name": self.name,
            "id_number_masked": self.id_number_masked,
            "position": self.position,
            "match": str(self.match),
            "entries": [e.as_dict() for e in self.entries],
        }


@dataclass
class ScreeningResult:
    as_of: dt.date
    results: list[CandidateResult]
    errors: list[Problem]
    version: int = 0  # the list version screened against


def validate_candidates(
    candidates: list[CandidateInput], *, today: dt.date | None = None
) -> tuple[list[CandidateResult], list[Problem]]:
    """Normalise names and ID numbers; a bad or repeated row is an error, never screened."""
    today = today or clock.today()  # once, not per number: a batch can hold 100,000
    valid: list[CandidateResult] = []
    errors: list[Problem] = []
    first_row: dict[str, int] = {}
    for c in candidates:
        row_errors = []
        try:
            name = names.normalize(c.name)
        except names.InvalidName as exc:
            row_errors.append(Problem("姓名", exc.reason, c.row))
        try:
            number = idnumber.normalize(c.id_number, today=today)
        except idnumber.InvalidIdNumber as exc:
            row_errors.append(Problem("公民身份号码", exc.reason, c.row))
        else:
            dup = first_row.setdefault(number, c.row)
            if dup != c.row:
                row_errors.append(Problem("公民身份号码", f"与第{dup}行重复", c.row))
        if row_errors:
            errors.extend(row_errors)
        else:
            valid.append(CandidateResult(c.row, name, number, c.position.strip()))
    return valid, errors


def screen(
    candidates: list[CandidateInput], as_of: dt.date, *, version: int | None = None
) -> ScreeningResult:
    """Match every valid candidate against every list as of ``as_of``, in list ``version``
    (default: the latest)."""
    valid, errors = validate_candidates(candidates)
    version = current_version() if version is None else version
    ring = checked_keyring()
    sources = {s.pk: s for s in ListSource.objects.all()}
    layouts = MaskLayout.objects.order_by("layout").values_list("layout", flat=True)
    maskers = [idnumber.layout_masker(layout) for layout in layouts]
    # The masked look-up binds one index per candidate, layout and key.
    per_candidate = len(ring.keys) * max(1, len(maskers))
    batch = max(1, min(LOOKUP_BATCH, MAX_PARAMETERS // per_candidate))
    for start in range(0, len(valid), batch):
        _screen_batch(valid[start : start + batch], as_of, version, ring, sources, maskers)
    return ScreeningResult(as_of, valid, errors, version)


# Entries of list version V: created by an import switched on in V or before, and removed only
# if the removing import was too (the imports table is small; the sub-select is read once).
_SELECT = (
    "SELECT id, source_id, listed_on, removed_on, authority, basis_document, case_number, "
    "name_index, {column} FROM {table} WHERE {column} IN ({marks}) AND {extra}"
    "subject_kind = %s AND listed_on <= %s "
    "AND created_by_import_id IN (SELECT id FROM {imports} WHERE version <= %s) "
    "AND (removed_on IS NULL OR removed_on > %s "
    "OR removed_by_import_id NOT IN (SELECT id FROM {imports} WHERE version <= %s))"
)


def _lookup(
    column: str, values: list[bytes], as_of: dt.date, version: int, extra: str = ""
) -> list[tuple]:
    """Person entries in force on ``as_of`` in list ``version`` whose ``column`` is one of
    ``values`` (fixed SQL, no ORM)."""
    if not values or not version:
        return []
    sql = _SELECT.format(
        column=column, table=ListEntry._meta.db_table, marks=", ".join(["%s"] * len(values)),
        extra=extra, imports=ListImport._meta.db_table,
    )  # fmt: skip
    day = connection.ops.adapt_datefield_value(as_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, SubjectKind.PERSON.value, day, version, day, version])
        return cursor.fetchall()


def _screen_batch(batch: list[CandidateResult], as_of, version, ring, sources, maskers) -> None:
    """Two indexed look-ups per batch, no decryption.

    Full numbers are found by their blind index. Masked entries are found by the index of name
    and masked number together, computed from the candidate's full number masked in each
    layout the lists use: equal index means equal name and agreeing visible digits.
    """
    by_id: dict[bytes, CandidateResult] = {}
    by_masked: dict[bytes, list[CandidateResult]] = defaultdict(list)
    name_sets: dict[int, set[bytes]] = {}
    search = ring.search_indexes
    for cand in batch:
        cand.entries = []
        for index in search(cand.id_number, keys.PERSON_ID):
            by_id[index] = cand
        name_sets[id(cand)] = set(search(cand.name, keys.PERSON_NAME))
        for masker in maskers:
            material = masked_material(cand.name, masker(cand.id_number))
            for index in search(material, keys.PERSON_MASKED):
                by_masked[index].append(cand)

    def evidence(row, match: MatchClass) -> EntryMatch:
        pk, source_id, listed_on, removed_on, authority, basis, case = row[:7]
        source = sources[source_id]
        return EntryMatch(source.code, source.name, pk, match, _date(listed_on),
                          _date(removed_on), authority, basis, case)  # fmt: skip

    for row in _lookup("id_index", list(by_id), as_of, version):
        cand = by_id[bytes(row[8])]
        name_agrees = bytes(row[7]) in name_sets[id(cand)]
        match = classify(id_agrees=True, name_agrees=name_agrees, entry_masked=False)
        cand.entries.append(evidence(row, match))

    masked = classify(id_agrees=True, name_agrees=True, entry_masked=True)
    for row in _lookup("masked_index", list(by_masked), as_of, version, extra="id_masked AND "):
        for cand in by_masked[bytes(row[8])]:
            cand.entries.append(evidence(row, masked))

    for cand in batch:
        cand.entries.sort(key=lambda e: (e.source, e.entry_id))
        cand.match = strongest(e.match for e in cand.entries)


def _date(value) -> dt.date | None:
    """Dates from a raw cursor: date objects, or ISO text where the driver leaves them so."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def candidate_file_limits() -> Limits:
    """A candidate table's limits: its rows (blank rows welcome, up to as many again as the
    candidates allowed) and, for an XLSX, its unpacked size, packing ratio and columns."""
    return Limits(
        sheet_rows=2 * candidates_max() + 1,
        columns=settings.GONGXIN_XLSX_MAX_COLUMNS,
        unpacked_bytes=settings.GONGXIN_CANDIDATE_XLSX_MAX_UNPACKED,
        ratio=settings.GONGXIN_XLSX_MAX_RATIO,
        advice=split_advice(),
    )


def read_candidates(path: Path) -> tuple[list[CandidateInput], list[Problem]]:
    """Read a candidate file (姓名, 公民身份号码, optional 拟任职位); missing columns are errors.

    More candidates than one request may hold is one problem saying how many there are and
    how to split them: rows past the limit are counted, never kept."""
    table = open_table(path, candidate_file_limits())
    columns = header_columns(table.headers)
    first: list[tuple[int, list]] = []
    if not {"name", "id_number"} <= set(columns):
        # No header: a first row that holds an ID number is a candidate (candidate_table).
        guessed = guess_columns([table.headers])
        if guessed is None:
            required = (("姓名", "name"), ("公民身份号码", "id_number"))
            return [], [Problem(h, "缺少必填列", 1) for h, f in required if f not in columns]
        columns, first = guessed, [(1, table.headers)]

    most = candidates_max()
    kept: list[tuple[int, list]] = []
    found = 0
    for number, cells in (*first, *table.rows):
        found += 1
        if found <= most:
            kept.append((number, cells))
    if found > most:
        return [], [Problem("人选", too_many_candidates(found, "本文件"))]
    return inputs(kept, columns), []
