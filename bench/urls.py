"""The project's URLs plus two floors to measure pages against, for benchmark runs only."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


def trivial(request):
    """The floor: a response through the full middleware stack (session, login) and nothing else."""
    return HttpResponse("ok", content_type="text/plain")


def empty_page(request):
    """A second floor: the site chrome (base template, navigation) around no content."""
    return render(request, "base.html", {})


@csrf_exempt
@login_not_required
def trivial_insert(request):
    """The write floor: bearer-token authentication as the API does it, then one INSERT."""
    from anju.core.api import TokenAuth
    from anju.core.models import AuditEvent

    header = request.headers.get("Authorization", "")
    user = TokenAuth().authenticate(request, header.removeprefix("Bearer ").strip())
    if user is None:
        return HttpResponse(status=401)
    AuditEvent.objects.create(actor=user, action="bench.insert", target_type="bench")
    return HttpResponse("{}", content_type="application/json", status=201)


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/insert/", trivial_insert),
    path("bench/page/", empty_page),
    path("", include("config.urls")),
]
