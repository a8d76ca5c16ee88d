"""Pages of the safety area."""

from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("hazards/", views.HazardListView.as_view(), name="hazard_list"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/start/", views.hazard_start, name="hazard_start"),
    path("hazards/<int:pk>/rectified/", views.hazard_rectified, name="hazard_rectified"),
    path("hazards/<int:pk>/close/", views.hazard_close, name="hazard_close"),
    path("hazards/<int:pk>/reject/", views.hazard_reject, name="hazard_reject"),
]
