"""Password rules Django does not ship (how many kinds of character a password mixes), and
Django's own said in plain Chinese where its catalogue says them awkwardly or not at all."""

from __future__ import annotations

import unicodedata

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

KINDS = ("大写字母", "小写字母", "数字", "符号")


def kinds_in(password: str) -> set[str]:
    """Which of the four kinds (upper case, lower case, digits, anything else) occur."""
    found = set()
    for ch in password:
        if ch.isascii() and ch.isupper():
            found.add(KINDS[0])
        elif ch.isascii() and ch.islower():
            found.add(KINDS[1])
        elif ch.isdigit():
            found.add(KINDS[2])
        elif not unicodedata.category(ch).startswith(("C", "Z")) or ch == " ":
            found.add(KINDS[3])  # punctuation, symbols, other scripts (汉字 counts here)
    return found


class CharacterClassValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len(kinds_in(password)) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。",
                code="password_too_uniform",
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, said in Chinese: Django 5.2 changed this message and its zh-hans catalogue
    still has the old one, so it would be shown in English."""

    def get_error_message(self):
        return f"密码长度太短。密码必须包含至少 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码必须包含至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's, said in Chinese without naming the attribute by its model label (which read
    「密码跟 用户名 太相似了。」): the attributes compared are the username and the name."""

    def get_error_message(self):
        return "密码与用户名或姓名过于相似。"

    def get_help_text(self):
        return "密码不能与用户名或姓名过于相似。"
