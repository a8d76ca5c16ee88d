from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path(
        "preferences/calendar-token/reset/",
        views.calendar_token_reset,
        name="calendar_token_reset",
    ),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
