"""The public vote, mounted at /vote/ (config/urls.py)."""

from django.urls import path, register_converter

from . import views


class IdConverter:
    """A database id: at most 18 digits, so that a huge number in a URL is a 404 rather
    than an integer the database cannot hold."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "vote_id")

app_name = "voting"

urlpatterns = [
    path("", views.OpenVotesView.as_view(), name="round-list"),
    path("<vote_id:round_pk>/", views.BallotView.as_view(), name="ballot"),
    path(
        "<vote_id:round_pk>/cases/<vote_id:case_pk>/",
        views.CaseVoteView.as_view(),
        name="case-vote",
    ),
    path(
        "<vote_id:round_pk>/cases/<vote_id:case_pk>/images/<vote_id:attachment_pk>/",
        views.ImageView.as_view(),
        name="case-image",
    ),
    path("<vote_id:round_pk>/verify/", views.VerifyView.as_view(), name="verify"),
    path("<vote_id:round_pk>/verify/code/", views.CodeView.as_view(), name="verify-code"),
    path("<vote_id:round_pk>/results/", views.ResultsView.as_view(), name="results"),
]
