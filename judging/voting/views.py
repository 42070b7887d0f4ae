"""Public pages of the vote: the open rounds, a round's ballot, a case with its vote form,
proving an e-mail address or a mobile number, the images of a case, the combined result
(after publication). Nothing of a case but its public fields is shown."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView, View
from django_ratelimit.decorators import ratelimit

from cases.services import DomainError

from . import ratelimits, selectors, services
from .forms import CodeForm, IdentifierForm, VoteForm
from .identity import client_ip, network_of
from .models import Voter

SESSION_VOTER = "public_voter_id"
SESSION_CHALLENGE = "public_vote_challenge_id"


def _limited(prefix):
    """The per-IP and per-/24 limits of a POST, from `voting.ratelimits`."""
    by_ip = ratelimit(
        group=f"public-vote-{prefix}-ip",
        key="ip",
        rate=getattr(ratelimits, f"{prefix}_ip_rate"),
        method="POST",
        block=True,
    )
    by_network = ratelimit(
        group=f"public-vote-{prefix}-net",
        key=ratelimits.network_key,
        rate=getattr(ratelimits, f"{prefix}_network_rate"),
        method="POST",
        block=True,
    )
    return lambda view: by_network(by_ip(view))


class RoundMixin:
    """The public-vote round of the URL (open, or closed after voting), else 404."""

    @cached_property
    def round(self):
        round_ = selectors.ballot_round(self.kwargs["round_pk"])
        if round_ is None:
            raise Http404
        return round_

    @cached_property
    def voter(self):
        pk = self.request.session.get(SESSION_VOTER)
        return Voter.objects.filter(pk=pk).first() if pk else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(round=self.round, **kwargs)
        context["voting_open"] = services.voting_open(self.round)
        context["rules"] = self.round.public_vote
        context["voter"] = self.voter
        if self.voter is not None:
            context["votes_left"] = max(
                0,
                self.round.public_vote.votes_per_day
                - selectors.voter_votes_today(round_=self.round, voter_id=self.voter.pk),
            )
        return context


class OpenVotesView(TemplateView):
    template_name = "judging/voting/round_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rounds=list(selectors.open_public_vote_rounds()), **kwargs)


@method_decorator(never_cache, name="dispatch")
class BallotView(RoundMixin, TemplateView):
    template_name = "judging/voting/ballot.html"

    def get_context_data(self, **kwargs):
        entries = list(selectors.ballot_entries(self.round))
        return super().get_context_data(
            entries=entries, results_public=selectors.results_public(self.round), **kwargs
        )


@method_decorator(never_cache, name="dispatch")
@method_decorator(_limited("vote"), name="post")
class CaseVoteView(RoundMixin, FormView):
    """A case's public fields and the vote form (CAPTCHA). Voting needs a proven voter in the
    session; without one the form leads to the verification page and back."""

    rate_limit_group = "public-vote-vote"  # django-ratelimit per IP and per /24 (`_limited`)

    template_name = "judging/voting/case_vote.html"
    form_class = VoteForm

    @cached_property
    def entry(self):
        entry = selectors.ballot_entry(self.round, self.kwargs["case_pk"])
        if entry is None:
            raise Http404
        return entry

    def get_context_data(self, **kwargs):
        return super().get_context_data(entry=self.entry, case=self.entry.case, **kwargs)

    def post(self, request, *args, **kwargs):
        # The hot path of a vote day: the vote is one SQL statement (`services.vote_cast`),
        # the answer a redirect; the round, the case and the page are loaded only when the
        # vote is refused or the form has errors.
        if request.session.get(SESSION_VOTER) is None:
            if not selectors.on_ballot(kwargs["round_pk"], kwargs["case_pk"]):
                raise Http404
            return redirect(_verify_url(kwargs["round_pk"], request.path))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        ip = client_ip(self.request)
        try:
            vote = services.vote_cast(
                round=self.kwargs["round_pk"],
                case_id=self.kwargs["case_pk"],
                voter=self.request.session[SESSION_VOTER],
                ip=ip,
                network=network_of(ip),
                user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
            )
        except services.NotOnBallot:
            raise Http404 from None
        except DomainError as error:
            # A small page with the reason: a refusal is as frequent as a vote when someone
            # keeps clicking (or a script keeps posting), so it loads nothing more.
            context = {"reason": str(error), **self.kwargs}
            return render(self.request, "judging/voting/vote_refused.html", context, status=409)
        messages.success(
            self.request, _("投票成功:您为“%(title)s”投了一票。") % {"title": vote.case_title}
        )
        response = redirect("voting:ballot", round_pk=vote.round_id)
        response.status_code = 303
        return response


def _verify_url(round_pk, next_path):
    url = reverse("voting:verify", kwargs={"round_pk": round_pk})
    return f"{url}?{urlencode({'next': next_path})}"


def _safe_next(request, round_):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if len(target) <= 500 and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("voting:ballot", kwargs={"round_pk": round_.pk})


@method_decorator(never_cache, name="dispatch")
@method_decorator(_limited("code"), name="post")
class VerifyView(RoundMixin, FormView):
    """Step 1: the voter names an e-mail address or a mobile number and gets a code."""

    rate_limit_group = "public-vote-code"  # django-ratelimit per IP and per /24 (`_limited`)

    template_name = "judging/voting/verify.html"
    form_class = IdentifierForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_safe_next(self.request, self.round), **kwargs)

    def form_valid(self, form):
        try:
            challenge = services.challenge_send(
                kind=form.cleaned_data["kind"], value=form.cleaned_data["value"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        self.request.session[SESSION_CHALLENGE] = challenge.pk
        url = reverse("voting:verify-code", kwargs={"round_pk": self.round.pk})
        return redirect(f"{url}?{urlencode({'next': _safe_next(self.request, self.round)})}")


@method_decorator(never_cache, name="dispatch")
@method_decorator(_limited("code"), name="post")
class CodeView(RoundMixin, FormView):
    """Step 2: the voter types the code; the proven voter is kept in the session."""

    rate_limit_group = "public-vote-code"  # django-ratelimit per IP and per /24 (`_limited`)

    template_name = "judging/voting/verify_code.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if SESSION_CHALLENGE not in request.session:
            return redirect("voting:verify", round_pk=kwargs["round_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            next=_safe_next(self.request, self.round),
            minutes=services.code_minutes(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            voter = services.challenge_confirm(
                challenge_id=self.request.session[SESSION_CHALLENGE],
                code=form.cleaned_data["code"],
            )
        except DomainError as error:
            form.add_error("code", str(error))
            return self.form_invalid(form)
        self.request.session.cycle_key()
        self.request.session[SESSION_VOTER] = voter.pk
        self.request.session.pop(SESSION_CHALLENGE, None)
        messages.success(self.request, _("验证成功,现在可以投票了。"))
        return redirect(_safe_next(self.request, self.round))


class ImageView(RoundMixin, View):
    """A case image (the only public attachments) of a case on the ballot."""

    def get(self, request, *args, **kwargs):
        image = selectors.public_image(self.round, kwargs["case_pk"], kwargs["attachment_pk"])
        if image is None:
            raise Http404
        response = FileResponse(image.file.open("rb"), content_type=image.content_type)
        response["Content-Disposition"] = "inline"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ResultsView(RoundMixin, TemplateView):
    """The combined result, once the edition's results are published (embargo)."""

    template_name = "judging/voting/results.html"

    def get(self, request, *args, **kwargs):
        if not selectors.results_public(self.round):
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tallies=list(selectors.published_tallies(self.round)), **kwargs
        )
