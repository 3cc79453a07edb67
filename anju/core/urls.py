from django.urls import path

from anju.core import calendar_views, import_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("pii/<str:kind>/<int:pk>/<str:field>/", views.pii_reveal, name="pii_reveal"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/upload/", import_views.import_upload, name="import_upload"),
    path("imports/templates/<str:kind>/", import_views.import_template, name="import_template"),
    path("imports/exports/<str:kind>/", import_views.import_export, name="import_export"),
    path("imports/jobs/<int:pk>/", import_views.import_job, name="import_job"),
    path(
        "imports/jobs/<int:pk>/status/",
        import_views.import_job_status,
        name="import_job_status",
    ),
    path(
        "imports/jobs/<int:pk>/annotated/",
        import_views.import_job_annotated_download,
        name="import_job_annotated",
    ),
    path("calendar/", calendar_views.calendar_overview, name="calendar"),
    path("calendar/check/", calendar_views.calendar_check, name="calendar_check"),
    path("calendar/years/new/", calendar_views.year_create, name="calendar_year_create"),
    path("calendar/years/<int:year>/edit/", calendar_views.year_edit, name="calendar_year_edit"),
    path("calendar/days/new/", calendar_views.day_create, name="calendar_day_create"),
    path("calendar/days/<int:pk>/edit/", calendar_views.day_edit, name="calendar_day_edit"),
    path("calendar/days/<int:pk>/delete/", calendar_views.day_delete, name="calendar_day_delete"),
    path(
        "calendar/schedules/new/",
        calendar_views.schedule_create,
        name="calendar_schedule_create",
    ),
    path(
        "calendar/schedules/<int:pk>/edit/",
        calendar_views.schedule_edit,
        name="calendar_schedule_edit",
    ),
]
