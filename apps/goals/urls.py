"""Pages of the goals area."""

from django.urls import path

from . import views

app_name = "goals"

urlpatterns = [
    path("targets/", views.TargetListView.as_view(), name="target_list"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("targets/<int:pk>/checkins/", views.target_checkin, name="target_checkin"),
]
