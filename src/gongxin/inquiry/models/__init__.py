"""Inquiry requests and everything recorded while handling one.

State changes happen only in gongxin.inquiry.services; nothing here changes ``state``. What a
round recorded (screenings, findings, matches, reviews, draws, its letter) is never changed by
a later round: a correction opens a new round beside it.
"""

from .candidates import Candidate, CandidateMatch, Finding, Review, Screening
from .jobs import RequestJob
from .requests import Extension, InquiryRequest, Participant, Round

__all__ = [
    "Candidate",
    "CandidateMatch",
    "Extension",
    "Finding",
    "InquiryRequest",
    "Participant",
    "RequestJob",
    "Review",
    "Round",
    "Screening",
]
