"""Placeholder home page until the inquiry workflow lands: shows what the registry holds."""

from django.db.models import Count, Q
from django.shortcuts import render

from gongxin.registry.models import ListSource


def home(request):
    sources = ListSource.objects.annotate(
        active=Count("entries", filter=Q(entries__removed_on__isnull=True))
    ).order_by("code")
    return render(request, "gongxin/home.html", {"sources": sources})
