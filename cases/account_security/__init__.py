"""Accounts security: lockout (django-axes), password policy and rotation, the second factor
(django-otp), session timeouts and ending a user's sessions (README, "Security: accounts and
sessions")."""
