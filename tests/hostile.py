"""Broken and hostile files, as an attacker or a damaged disk would hand them over."""

import zipfile
from pathlib import Path

from openpyxl import Workbook

from tests.factories import ZHANG


def xlsx_with_sheet(path: Path, transform) -> Path:
    book = Workbook()
    book.active.append(["姓名", "公民身份号码"])
    book.active.append(["张三", ZHANG[1]])
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = transform(parts["xl/worksheets/sheet1.xml"].decode())
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


HOSTILE_SHEETS = {
    "malformed": lambda xml: xml[: len(xml) // 2].encode(),
    "undefined entity": lambda xml: xml.replace(
        "</sheetData>",
        '<row r="3"><c r="A3" t="inlineStr"><is><t>&nope;</t></is></c></row></sheetData>',
    ).encode(),
    "shared string out of range": lambda xml: xml.replace(
        "</sheetData>", '<row r="3"><c r="A3" t="s"><v>9999</v></c></row></sheetData>'
    ).encode(),
    "entity expansion": lambda xml: (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
        '&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        + xml.split("?>", 1)[-1].replace(
            "</sheetData>",
            '<row r="3"><c r="A3" t="inlineStr"><is><t>&c;</t></is></c></row></sheetData>',
        )
    ).encode(),
}
