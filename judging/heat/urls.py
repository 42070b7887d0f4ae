"""Public pages of the heat rankings, mounted in the `results` namespace by
judging/urls_public.py. The monthly report itself is the edition's results page."""

from django.urls import path

from . import views

urlpatterns = [
    path("units/<int:pk>/heat/", views.UnitHeatView.as_view(), name="unit-heat"),
]
