from django.urls import path

from .views import public
from .views.privacy import PrivacyNoticeView

app_name = "cases"

urlpatterns = [
    path("", public.HomeView.as_view(), name="home"),
    path("privacy/", PrivacyNoticeView.as_view(), name="privacy-notice"),
    path("programmes/<slug:slug>/", public.ProgrammeDetailView.as_view(), name="programme-detail"),
    path(
        "programmes/<slug:programme>/<slug:slug>/",
        public.EditionDetailView.as_view(),
        name="edition-detail",
    ),
]
