"""URL converters. Object ids in URLs are 1 to 18 digits: a longer number is not an id of ours
(and would overflow the database's 64-bit integers), so it does not even match the route."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
