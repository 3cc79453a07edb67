from django.urls import path

from anju.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.RegionListView.as_view(), name="list"),
    path("<int:pk>/", views.region_detail, name="detail"),
]
