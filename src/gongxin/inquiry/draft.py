"""The draft of a round's result letter, for the signer to read before signing (签发前核对).

The same content and engine as the letter signing issues (gongxin.inquiry.letters,
gongxin.documents), dated today as signing today would date it, with three differences that
keep a draft from passing for a letter: 「草稿·未签发」 on every page, a blank where the number
goes (numbers are taken only at signing, without gaps, so a draft cannot know its number) and
no verification code or digital signature (nothing is issued that could be verified).
"""

from __future__ import annotations

from gongxin.core import clock
from gongxin.documents.services import DRAFT_NUMBER, document_number, render_draft
from gongxin.inquiry.letters import result_rows
from gongxin.inquiry.services.signing import letter_content


def draft_pdf(req) -> bytes:
    """The PDF of the round in progress's letter as a draft."""
    dated = clock.today()
    number = document_number(req.unit.letter_prefix, dated.year, DRAFT_NUMBER)
    content = letter_content(req, result_rows(req), dated=dated, code="",
                             document_number=number)  # fmt: skip
    return render_draft(content)
