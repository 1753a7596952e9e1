"""Letter benchmark: render a 500-candidate result letter as DOCX and PDF, and read it back.

    make bench     (runs this after the registry benchmark)

Goal (issue 4): rendering and signing a 500-candidate letter under 2 s. Median of 5 runs.
Runs with the test settings (a throwaway home and certificate directory).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from types import SimpleNamespace

    from gongxin.documents import docx_letter, pdf_letter, signing
    from gongxin.documents.check import differences
    from tests.test_documents_docx import content

    letter, _ = content(500, names=["买买提·艾力", "𠮷野"])
    pdf_letter.build(letter)  # load fonts once, as a running server has them

    def run(fn, repeat=5):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times), result

    docx_s, docx = run(lambda: docx_letter.build(letter))
    pdf_s, pdf = run(lambda: pdf_letter.build(letter))
    check_s, problems = run(lambda: differences(letter, docx, pdf))
    assert problems == []
    signing.ensure_demo_certificates([SimpleNamespace(code="bench", name="基准测试单位")])
    signing.sign(pdf, "bench")  # load the key once, as a running server has it
    sign_s, signed = run(lambda: signing.sign(pdf, "bench"))
    assert signing.check_signature(signed).ok
    total = docx_s + pdf_s + check_s + sign_s
    print(f"\nGongxin letter benchmark — 500 candidates, median of 5, {os.cpu_count()} cores\n")
    figures = (
        ("DOCX (python-docx)", docx_s),
        ("PDF (WeasyPrint, fonts embedded)", pdf_s),
        ("result check (read both back)", check_s),
        ("PAdES signature (pyHanko)", sign_s),
        ("total: render, check, sign", total),
    )
    for label, value in figures:
        print(f"  {label:<34} {value * 1000:8.0f} ms")
    print(f"  {'signed PDF size':<34} {len(signed) / 1024:8.0f} KiB")
    print("  goal: under 2 s in total\n")


if __name__ == "__main__":
    main()
