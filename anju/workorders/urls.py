from django.urls import path

from anju.workorders import matrix_views, metrics_views, views, visit_views

app_name = "workorders"
urlpatterns = [
    path("", views.OrderListView.as_view(), name="list"),
    path("new/", views.order_create, name="create"),
    path("report/", views.order_report, name="report"),
    path("mine/", views.my_orders, name="mine"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/dispatch/", views.order_dispatch, name="dispatch"),
    path("<int:pk>/act/<str:action>/", views.order_act, name="act"),
    path("<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("<int:pk>/dispute/", views.dispute_record, name="dispute_record"),
    path(
        "dispute-steps/<int:pk>/performance/", views.dispute_performance, name="dispute_performance"
    ),
    # The complainant's personal return-visit link: no login, the token is the key.
    path("visit/<str:token>/", visit_views.visit, name="visit"),
    path("figures/", metrics_views.figures, name="figures"),
    path("figures/snapshot/", metrics_views.figures_snapshot, name="figures_snapshot"),
    path("figures/<int:pk>/publish/", metrics_views.figures_publish, name="figures_publish"),
    path("matrix/", matrix_views.MatrixListView.as_view(), name="matrix"),
    path("matrix/new/", matrix_views.rule_create, name="rule_create"),
    path("matrix/<int:pk>/", matrix_views.rule_edit, name="rule_edit"),
]
