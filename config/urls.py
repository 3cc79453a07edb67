from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("anju.core.urls")),
    path("accounts/", include("anju.accounts.urls")),
    path("regions/", include("anju.regions.urls")),
    path("estates/", include("anju.estates.urls")),
    path("companies/", include("anju.companies.urls")),
    path("orders/", include("anju.workorders.urls")),
    path("votes/", include("anju.voting.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
