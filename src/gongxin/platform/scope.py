"""Scope by action (知悉经手范围), after NetBox's RestrictedQuerySet.

Every model that reaches a page or the API has a manager whose queryset offers
``restrict(staff, action)``; the model's app registers, once, what each action lets a person
see (``@scope(Model)``). A view reads only through ``restrict``, so it cannot forget: anything
outside answers 404 (``get_or_404``), never 403, and never says whether it exists.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models import Q
from django.http import Http404

from gongxin.platform.rules import staff_member

# model -> function(staff, action) -> Q (the rows the person may see for that action), or None
_SCOPES: dict[type[models.Model], Callable[[object, str], Q | None]] = {}


def scope(model: type[models.Model]):
    """Register the scope function of ``model``. It returns a Q, or None for "nothing"; it
    raises ValueError for an action it does not know (an unknown action is a bug, not a deny)."""

    def register(fn):
        _SCOPES[model] = fn
        return fn

    return register


def registered() -> dict:
    return dict(_SCOPES)


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what one person may see for one action."""

    def restrict(self, staff, action: str = "view") -> models.QuerySet:
        """Only the rows ``staff`` may see for ``action``; none for nobody, an inactive person or
        one whose roles may not be held together."""
        try:
            fn = _SCOPES[self.model]
        except KeyError:
            raise LookupError(f"no scope is registered for {self.model.__name__}") from None
        if staff is None or not staff_member.admits(staff):
            return self.none()
        condition = fn(staff, action)
        return self.none() if condition is None else self.filter(condition)

    def get_or_404(self, **lookup):
        """Like get(), but missing (or out of scope, when called after restrict) is 404."""
        try:
            return self.get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


def staff_of(user):
    """The Staff record of a signed-in user, or None (anonymous, or an account without one)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except models.ObjectDoesNotExist:
        return None
