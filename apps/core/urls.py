"""Pages that belong to no single area: the dashboard and the user's own work."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
