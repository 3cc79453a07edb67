from django.urls import path

from anju.workorders import (
    attachments,
    cluster_views,
    config_views,
    matrix_views,
    meeting_views,
    metrics_views,
    views,
    visit_views,
)

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
    path("<int:pk>/visit/resend/", visit_views.visit_resend, name="visit_resend"),
    path("<int:pk>/photos/", attachments.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", attachments.photo_file, name="photo"),
    path("figures/", metrics_views.figures, name="figures"),
    path("figures/snapshot/", metrics_views.figures_snapshot, name="figures_snapshot"),
    path("figures/<int:pk>/publish/", metrics_views.figures_publish, name="figures_publish"),
    path("figures/weights/<int:pk>/", metrics_views.weights_edit, name="weights"),
    path("matrix/", matrix_views.MatrixListView.as_view(), name="matrix"),
    path("matrix/new/", matrix_views.rule_create, name="rule_create"),
    path("matrix/<int:pk>/", matrix_views.rule_edit, name="rule_edit"),
    # Reference data the district administrator edits: categories and deadlines.
    path("categories/", config_views.categories, name="categories"),
    path("categories/new/", config_views.category_create, name="category_create"),
    path("categories/<int:pk>/", config_views.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", config_views.category_delete, name="category_delete"),
    path("deadlines/", config_views.deadlines, name="deadlines"),
    path("deadlines/rework/", config_views.deadline_settings, name="deadline_settings"),
    path("deadlines/by-channel/", config_views.deadline_choice, name="deadline_choice"),
    path("deadlines/<str:code>/", config_views.deadline_class_edit, name="deadline_class_edit"),
    # Joint meetings (联席会议) and cluster alerts.
    path("meetings/", meeting_views.MeetingListView.as_view(), name="meetings"),
    path("meetings/new/", meeting_views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/agenda/", meeting_views.meeting_agenda, name="meeting_agenda"),
    path(
        "meetings/<int:pk>/outcome/<int:order_pk>/",
        meeting_views.meeting_outcome,
        name="meeting_outcome",
    ),
    path("clusters/", cluster_views.ClusterListView.as_view(), name="clusters"),
    path("clusters/<int:pk>/", cluster_views.cluster_detail, name="cluster_detail"),
    path("clusters/<int:pk>/handle/", cluster_views.cluster_handle, name="cluster_handle"),
]
