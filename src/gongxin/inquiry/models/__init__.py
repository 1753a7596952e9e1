"""Inquiry requests and everything recorded while handling one.

State changes happen only in gongxin.inquiry.services; nothing here changes ``state``. What a
round recorded (screenings, findings, matches, reviews, draws, its letter) is never changed by
a later round: a correction opens a new round beside it.
"""

from .candidates import (
    Candidate,
    CandidateChange,
    CandidateMatch,
    CandidateRevision,
    Finding,
    Review,
    Screening,
)
from .jobs import RequestJob
from .requests import Extension, InquiryRequest, Participant, Round, SendBack

__all__ = [
    "Candidate",
    "CandidateChange",
    "CandidateMatch",
    "CandidateRevision",
    "Extension",
    "Finding",
    "InquiryRequest",
    "Participant",
    "RequestJob",
    "Review",
    "Round",
    "Screening",
    "SendBack",
]
