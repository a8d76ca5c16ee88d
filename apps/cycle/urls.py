"""Pages of the reporting cycle and the 调度 board."""

from django.urls import path

from . import board, reports, views

app_name = "cycle"

urlpatterns = [
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/open/", views.round_open_view, name="round_open"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/close/", views.round_close_view, name="round_close"),
    path("mine/", views.MySubmissionsView.as_view(), name="my_submissions"),
    path("submissions/<int:pk>/", views.submission_view, name="submission"),
    path("submissions/<int:pk>/return/", views.submission_return_view, name="submission_return"),
    path("submissions/<int:pk>/accept/", views.submission_accept_view, name="submission_accept"),
    path("board/", board.board_view, name="board"),
    path("board/report.xlsx", reports.report_download, {"extension": "xlsx"}, name="report_xlsx"),
    path("board/report.pdf", reports.report_download, {"extension": "pdf"}, name="report_pdf"),
]
