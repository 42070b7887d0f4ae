"""Account URLs (not namespaced: Django's auth views reverse `login`, `password_reset_done`…)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from config.ratelimit import rate_limited, typed_email_limit

from .account_security import views as security
from .views import accounts
from .views import privacy as my_data

urlpatterns = [
    path("register/", rate_limited("register")(accounts.RegisterView.as_view()), name="register"),
    path("login/", rate_limited("login")(accounts.LoginView.as_view()), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("confirm/<str:token>/", accounts.EmailConfirmView.as_view(), name="email-confirm"),
    path("confirm-again/", accounts.EmailConfirmResendView.as_view(), name="email-confirm-resend"),
    path("unit/", accounts.UnitMembersView.as_view(), name="unit-members"),
    path(
        "invitation/<str:token>/",
        rate_limited("invitation")(accounts.InvitationAcceptView.as_view()),
        name="invitation-accept",
    ),
    path("my-data/", my_data.MyDataView.as_view(), name="my-data"),
    path("my-data/export.xlsx", my_data.MyDataExportView.as_view(), name="my-data-export"),
    path("my-data/correct/", my_data.MyDataEditView.as_view(), name="my-data-edit"),
    path("my-data/delete/", my_data.MyDataDeleteView.as_view(), name="my-data-delete"),
    path("second-factor/", security.SecondFactorVerifyView.as_view(), name="mfa-verify"),
    path("second-factor/enrol/", security.SecondFactorEnrolView.as_view(), name="mfa-enrol"),
    path("keep-alive/", security.KeepAliveView.as_view(), name="session-keepalive"),
    path(
        "password/change/",
        security.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        rate_limited("password-reset", extra=typed_email_limit)(
            accounts.PasswordResetView.as_view(
                subject_template_name="registration/password_reset_subject.txt",
                success_url=reverse_lazy("password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        rate_limited("password-reset-confirm")(security.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
