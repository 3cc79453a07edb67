from django.urls import path

from anju.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("pii/<str:kind>/<int:pk>/<str:field>/", views.pii_reveal, name="pii_reveal"),
]
