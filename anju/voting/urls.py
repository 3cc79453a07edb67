from django.urls import path

from anju.voting import download_views, views

app_name = "voting"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("mine/", views.my_votes, name="mine"),
    path("fund-use/", views.fund_use_list, name="fund_use"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/motions/new/", views.motion_create, name="motion_create"),
    path("motions/<int:pk>/delete/", views.motion_delete, name="motion_delete"),
    path("<int:pk>/move/<str:step>/", views.meeting_move, name="move"),  # notice/open/close/...
    path("motions/<int:pk>/roll/", views.roll, name="roll"),
    path("roll/<int:pk>/correct/", views.roll_correct, name="roll_correct"),
    path("<int:pk>/ballot/", views.ballot, name="ballot"),
    path("<int:pk>/paper/", views.paper, name="paper"),
    path("<int:pk>/paper/counts/", views.paper_counts, name="paper_counts"),
    path("paper/<int:pk>/reject/", views.paper_reject, name="paper_reject"),
    path("<int:pk>/proxies/", views.proxies, name="proxies"),
    path("proxies/<int:pk>/revoke/", views.proxy_revoke, name="proxy_revoke"),
    path("proxies/<int:pk>/vote/", views.proxy_vote, name="proxy_vote"),
    path("<int:pk>/deliveries/", views.deliveries, name="deliveries"),
    path("<int:pk>/signals/", views.fraud_signals, name="signals"),
    # Attachments, signed entrustments, delivery receipts and paper scans, scoped per meeting.
    path("files/<str:kind>/<int:pk>/", views.voting_file, name="file"),
    path("<int:pk>/result.docx", download_views.result_docx, name="result_docx"),
    path("<int:pk>/certificate.docx", download_views.certificate_docx, name="certificate_docx"),
    path("<int:pk>/notice.docx", download_views.notice_docx, name="notice_docx"),
    path("motions/<int:pk>/export.json", download_views.motion_export, name="export"),
    path("<int:pk>/evidence.zip", download_views.evidence_pack, name="evidence"),
    # The public, masked bulletin board of a closed meeting: no login, the token is the key.
    path("board/<str:token>/", download_views.board, name="board"),
]
