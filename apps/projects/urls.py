"""Pages of the projects area."""

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/progress/", views.progress_create, name="progress-create"),
    path("milestones/", views.MilestoneListView.as_view(), name="milestone-list"),
    path("milestones/<int:pk>/row/", views.milestone_row, name="milestone-row"),
    path("milestones/<int:pk>/complete/", views.milestone_complete, name="milestone-complete"),
]
