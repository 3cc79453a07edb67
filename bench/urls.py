"""The project's URLs plus two floors to measure pages against, for benchmark runs only."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path


def trivial(request):
    """The floor: a response through the full middleware stack (session, login) and nothing else."""
    return HttpResponse("ok", content_type="text/plain")


def empty_page(request):
    """A second floor: the site chrome (base template, navigation) around no content."""
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/page/", empty_page),
    path("", include("config.urls")),
]
