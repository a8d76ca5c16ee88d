from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("my-work/", views.my_work_view, name="my_work"),
    path("search/", views.search_view, name="search"),
]
