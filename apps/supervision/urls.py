"""Pages of supervision orders."""

from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.OrderListView.as_view(), name="order_list"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("new/project/<int:pk>/", views.order_issue, {"kind": "project"}, name="issue_project"),
    path("new/target/<int:pk>/", views.order_issue, {"kind": "target"}, name="issue_target"),
    path("new/hazard/<int:pk>/", views.order_issue, {"kind": "hazard"}, name="issue_hazard"),
    path("<int:pk>/answer/", views.order_answer, name="order_answer"),
    path("<int:pk>/accept/", views.order_accept, name="order_accept"),
    path("<int:pk>/return/", views.order_return, name="order_return"),
]
