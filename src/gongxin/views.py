"""Placeholder home page until the inquiry workflow lands: shows what the registry holds."""

from django.shortcuts import render

from gongxin.registry.models import ListSource


def home(request):
    sources = ListSource.objects.order_by("code")
    return render(request, "gongxin/home.html", {"sources": sources})
