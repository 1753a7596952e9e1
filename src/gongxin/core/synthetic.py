"""Synthetic list entries and candidates: valid ID numbers and USCCs, plausible names, any size.

Deterministic for a seed. Used by `gongxin demo-data`, the tests and the benchmarks; every
number it makes is fabricated, so its output may be committed as a fixture.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from . import idnumber, uscc

REGIONS = (
    "110105",
    "110108",
    "120101",
    "130102",
    "140105",
    "150102",
    "210102",
    "220102",
    "230102",
    "310104",
    "310115",
    "320102",
    "330106",
    "340104",
    "342301",
    "350102",
    "360102",
    "370102",
    "410105",
    "420106",
    "430104",
    "440106",
    "440305",
    "440524",
    "450103",
    "460106",
    "500103",
    "510104",
    "520102",
    "530102",
    "540102",
    "610113",
    "620102",
    "630102",
    "640104",
    "650102",
    "659001",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰红梅志文斌宇浩然子涵欣怡思远晨阳嘉"
MINORITY = ("买买提·艾力", "阿依古丽·吐尔逊", "热依拉·阿不都", "扎西·次仁", "巴特尔·额尔敦")
RARE = ("𠮷", "𡈼", "𪚥")  # outside the BMP, as in some registered names
COURTS = (
    "北京市朝阳区人民法院",
    "上海市浦东新区人民法院",
    "广州市天河区人民法院",
    "安徽省六安市中级人民法院",
    "四川省成都市锦江区人民法院",
    "浙江省杭州市西湖区人民法院",
)
TAX_OFFICES = ("国家税务总局北京市税务局第一稽查局", "国家税务总局深圳市税务局稽查局")


@dataclass
class SyntheticEntry:
    kind: str  # 自然人 / 法人和其他组织
    name: str
    ident: str  # the number as published (masked or full)
    true_ident: str  # the full number behind a masked one
    listed_on: dt.date
    authority: str
    basis_document: str
    case_number: str

    def row(self) -> list[str]:
        return [
            self.kind,
            self.name,
            self.ident,
            self.listed_on.isoformat(),
            self.authority,
            self.basis_document,
            self.case_number,
        ]


LIST_HEADERS = ["主体类型", "姓名或名称", "证件号码", "列入日期", "认定机关", "认定文书号", "案号"]
CANDIDATE_HEADERS = ["姓名", "公民身份号码", "拟任职位"]


class Generator:
    def __init__(self, seed: int = 20201209, today: dt.date = dt.date(2026, 11, 27)):
        self.rng = random.Random(seed)
        self.today = today
        self._used: set[str] = set()

    def id_number(self) -> str:
        r = self.rng
        while True:
            born = dt.date(1955, 1, 1) + dt.timedelta(days=r.randrange(18000))
            first17 = f"{r.choice(REGIONS)}{born:%Y%m%d}{r.randrange(1000):03d}"
            number = first17 + idnumber.check_char(first17)
            if number not in self._used:
                self._used.add(number)
                return number

    def uscc(self) -> str:
        r = self.rng
        chars = uscc.CHARSET
        first17 = "91" + r.choice(REGIONS) + "".join(r.choice(chars) for _ in range(9))
        return first17 + uscc.check_char(first17)

    def name(self) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.02:
            return r.choice(MINORITY)
        surname = r.choice(COMPOUND_SURNAMES) if roll < 0.04 else r.choice(SURNAMES)
        given = "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))
        if roll > 0.998:
            given = r.choice(RARE) + given[:1]
        return surname + given

    def entry(self, *, masked_share: float = 0.1, org_share: float = 0.05) -> SyntheticEntry:
        r = self.rng
        listed = self.today - dt.timedelta(days=r.randrange(1, 1100))
        seq = r.randrange(1, 99999)
        if r.random() < org_share:
            name = f"{r.choice(('华信', '恒通', '金达', '宏远', '鑫源'))}{seq}商贸有限公司"
            code = self.uscc()
            return SyntheticEntry(
                "法人和其他组织",
                name,
                code,
                code,
                listed,
                r.choice(TAX_OFFICES),
                f"税稽罚〔{listed.year}〕{seq}号",
                "",
            )
        number = self.id_number()
        shown = number[:10] + "****" + number[14:] if r.random() < masked_share else number
        court = r.choice(COURTS)
        case = f"（{listed.year}）执{seq}号"
        return SyntheticEntry(
            "自然人", self.name(), shown, number, listed, court, f"{case}失信决定书", case
        )

    def entries(self, n: int, **kwargs) -> Iterator[SyntheticEntry]:
        for _ in range(n):
            yield self.entry(**kwargs)

    def candidates(self, n: int, hits: list[SyntheticEntry], hit_share: float = 0.05):
        """Candidates, about ``hit_share`` of them drawn from ``hits`` (persons only).

        A drawn full entry is reused exactly (exact), or with another name (id_only) one time in
        five; a drawn masked entry becomes its real person (possible).
        """
        r = self.rng
        people = [e for e in hits if e.kind == "自然人"]
        used: set[str] = set()
        positions = ("科员", "一级科员", "四级主任科员", "二级主任科员", "综合管理岗")
        for _ in range(n):
            if people and r.random() < hit_share:
                e = r.choice(people)
                if e.true_ident not in used:
                    used.add(e.true_ident)
                    name = e.name if r.random() < 0.8 or e.ident != e.true_ident else self.name()
                    yield [name, e.true_ident, r.choice(positions)]
                    continue
            number = self.id_number()
            used.add(number)
            yield [self.name(), number, r.choice(positions)]
