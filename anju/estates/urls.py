from django.urls import path

from anju.estates import views

app_name = "estates"
urlpatterns = [
    path("", views.EstateListView.as_view(), name="list"),
    path("new/", views.estate_create, name="create"),
    path("<int:pk>/", views.estate_detail, name="detail"),
    path("<int:pk>/edit/", views.estate_edit, name="edit"),
    path("<int:pk>/buildings/new/", views.building_create, name="building_create"),
    path("<int:pk>/units/new/", views.unit_create, name="unit_create"),
    path("<int:pk>/compounds/new/", views.compound_create, name="compound_create"),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/owners/new/", views.owner_create, name="owner_create"),
    path("units/<int:pk>/residents/new/", views.resident_create, name="resident_create"),
    path(
        "ownerships/<int:pk>/representative/",
        views.ownership_representative,
        name="ownership_representative",
    ),
    path("ownerships/<int:pk>/remove/", views.ownership_remove, name="ownership_remove"),
    path("owners/", views.OwnerListView.as_view(), name="owner_list"),
    path("owners/<int:pk>/", views.owner_detail, name="owner_detail"),
    path("owners/<int:pk>/edit/", views.owner_edit, name="owner_edit"),
]
