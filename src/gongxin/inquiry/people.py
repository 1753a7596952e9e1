"""The same person across requests, found through the blind indexes (decision 0014): the
search by name or ID number, and the warning that a candidate is already in another open
request of the unit. Nothing here opens a cipher or keeps what was searched for."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from gongxin.inquiry.choices import OPEN_STATES
from gongxin.inquiry.models import Candidate, InquiryRequest
from gongxin.inquiry.queues import prefetched
from gongxin.inquiry.services.identity import id_indexes, name_indexes

ID_NUMBER, NAME = "id_number", "name"


@dataclass(frozen=True)
class Elsewhere:
    """Row ``row`` of a request is also a candidate of the open request ``other``."""

    row: int
    other: InquiryRequest

    @property
    def warning(self) -> str:
        return f"第{self.row}行人选已在本单位另一件办理中的查询（{self.other.letter_number}）中"


def elsewhere(req: InquiryRequest) -> list[Elsewhere]:
    """Each candidate of ``req`` who is (by ID number) also in another open request of the
    same unit: a warning for the clerk, never a refusal (a person may apply twice)."""
    rows: dict[bytes, list[int]] = {}
    for row, index in (Candidate.objects.current(req).exclude(id_index=None)
                       .values_list("row", "id_index")):  # fmt: skip
        rows.setdefault(bytes(index), []).append(row)
    if not rows:
        return []
    others = (Candidate.objects.filter(request__unit_id=req.unit_id, id_index__in=list(rows),
                                       request__state__in=OPEN_STATES, until_round=None)
              .exclude(request=req).select_related("request").order_by("request_id"))  # fmt: skip
    found = []
    for other in others:
        found += [Elsewhere(row, other.request) for row in rows[bytes(other.id_index)]]
    return sorted(found, key=lambda e: (e.row, e.other.pk))


def kind_of(term: str) -> str:
    """Whether a search term is meant as an ID number (mostly digits: a mistyped one is
    refused with its reason, not searched as a name) or as a name."""
    text = unicodedata.normalize("NFKC", term)
    digits = sum(ch.isdigit() for ch in text)
    return ID_NUMBER if digits >= 6 and digits * 2 > len(text.strip()) else NAME


def search(staff, term: str) -> tuple[str, list[InquiryRequest]]:
    """(what the term was read as, the requests with such a candidate) — only requests whose
    candidates ``staff`` may see (知悉经手范围). InvalidIdNumber or InvalidName for a term
    that is neither."""
    kind = kind_of(term)
    if kind == ID_NUMBER:
        found = Candidate.objects.restrict(staff, "view").filter(id_index__in=id_indexes(term))
    else:  # InvalidName when nothing of a name is left
        found = Candidate.objects.restrict(staff, "view").filter(name_index__in=name_indexes(term))
    requests = prefetched(InquiryRequest.objects.restrict(staff, "view")
                          .filter(pk__in=found.values("request_id"))
                          .order_by("-received_on", "-pk"))  # fmt: skip
    return kind, list(requests)
