"""Pages of the projects area."""

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/progress/", views.progress_create, name="progress_create"),
    path("timeline/", views.timeline, name="timeline"),
    path("milestones/", views.MilestoneListView.as_view(), name="milestone_list"),
    path("milestones/<int:pk>/row/", views.milestone_row, name="milestone_row"),
    path("milestones/<int:pk>/complete/", views.milestone_complete, name="milestone_complete"),
]
