"""The workflow of one edition (DESIGN.md §3) as the back office's 流程 page shows it: each step
in order, done / current / blocked / still to come, why a step is blocked, and the one action
that does the next step (or removes what blocks it).

The preconditions are the services' own (`edition_transition_blockers`, `round_open_checks`,
`awards_proposal_blockers`, `publicity_start_blockers`, `publication_blockers`); this module
only orders the steps and picks the action. The number of queries does not depend on the
number of rounds, cases or awards: the rounds are read once with their entry counts, and only
the current step asks its service for its blockers.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import CaseStatus, EditionStatus
from cases.services import edition_transition_blockers

from ..models import Round, RoundKind, RoundStatus
from ..services.awards import awards_proposal_blockers, proposal_inputs
from ..services.publication import publication_blockers, publication_counts
from ..services.publicity import local_time_label, publicity_start_blockers
from ..services.rounds import OpenCause, round_close_outstanding, round_open_checks

DONE = "done"
CURRENT = "current"
BLOCKED = "blocked"
TODO = "todo"

STATE_LABELS = {
    DONE: gettext_lazy("已完成"),
    CURRENT: gettext_lazy("当前步骤"),
    BLOCKED: gettext_lazy("受阻"),
    TODO: gettext_lazy("待进行"),
}

STATUS_ORDER = [
    EditionStatus.DRAFT,
    EditionStatus.OPEN,
    EditionStatus.SCREENING,
    EditionStatus.REVIEWING,
    EditionStatus.DECIDING,
    EditionStatus.PUBLICITY,
    EditionStatus.PUBLISHED,
    EditionStatus.ARCHIVED,
]

# The edition state changes the workflow page makes itself (the others are made by the pages
# of their step: 公示 and publication). `services.workflow.workflow_transition` allows these.
FORWARD = {
    EditionStatus.DRAFT: EditionStatus.OPEN,
    EditionStatus.OPEN: EditionStatus.SCREENING,
    EditionStatus.SCREENING: EditionStatus.REVIEWING,
    EditionStatus.REVIEWING: EditionStatus.DECIDING,
    EditionStatus.PUBLISHED: EditionStatus.ARCHIVED,
}

# Rounds without advancement: done once closed.
NO_ADVANCEMENT = {RoundKind.METRIC, RoundKind.PUBLIC_VOTE}


@dataclass
class Action:
    """The one button (a POST to `url` with `fields`) or link of a step. `permission` is
    the Django permission it needs; the page shows it only to those who hold it."""

    label: str
    url: str
    permission: str
    post: bool = False
    fields: dict = field(default_factory=dict)


@dataclass
class Step:
    key: str
    title: str
    state: str = TODO
    reasons: list = field(default_factory=list)  # why it is blocked
    notes: list = field(default_factory=list)  # what else the organiser should know
    action: Action | None = None
    # An optional step's way round it (不公示,直接发布), shown as a plain link.
    alternative: Action | None = None
    # A step that never holds up the next ones (a heat-list round: 评定 does not wait for it).
    optional: bool = False

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


def workflow_url(edition):
    return reverse("admin:cases_edition_workflow", args=[edition.pk])


def _with_next(url, edition, **query):
    return f"{url}?{urlencode({**query, 'next': workflow_url(edition)})}"


def _transition(edition, to, label):
    return Action(
        label=label,
        url=reverse("admin:cases_edition_workflow_transition", args=[edition.pk]),
        permission="cases.change_edition",
        post=True,
        fields={"to": EditionStatus(to).value},
    )


def _edition_change(edition, label):
    return Action(
        label=label,
        url=reverse("admin:cases_edition_change", args=[edition.pk]),
        permission="cases.change_edition",
    )


def _round_action(round_, view, label, *, post=False, edition=None, permission=None):
    url = reverse(f"admin:judging_round_{view}", args=[round_.pk])
    if edition is not None and not post:
        url = _with_next(url, edition)
    fields = {"next": workflow_url(edition)} if post and edition is not None else {}
    return Action(
        label=label,
        url=url,
        permission=permission or "judging.change_round",
        post=post,
        fields=fields,
    )


def _award_page(edition, view, label):
    """A page of the awards admin for the edition (`admin:judging_award_<view>`), returning
    to the workflow page."""
    return Action(
        label=label,
        url=_with_next(reverse(f"admin:judging_award_{view}", args=[edition.pk]), edition),
        permission="judging.change_award",
    )


def _advancement(round_, edition):
    label = _("确认投票结果") if round_.kind == RoundKind.VOTE else _("确认晋级结果")
    return Action(
        label=f"{label}:{round_.name}",
        url=_with_next(reverse("admin:judging_round_advancement", args=[round_.pk]), edition),
        permission="judging.change_roundentry",
    )


def _round_done(round_):
    if round_.status != RoundStatus.CLOSED:
        return False
    if round_.kind in NO_ADVANCEMENT:
        return True
    return round_.entry_count > 0 and round_.undecided_count == 0


def _edition_steps(edition, position):
    """筹备 → 征集 → 资格审查: each moves the edition one state on."""
    steps = []
    for key, title, status, label, fix in [
        ("setup", _("筹备:类别、奖项、征集时间"), EditionStatus.DRAFT, _("开始征集"), None),
        ("call", _("征集案例"), EditionStatus.OPEN, _("开始资格审查"), None),
        ("screening", _("资格审查"), EditionStatus.SCREENING, _("开始评审"), "screening"),
    ]:
        step = Step(key=key, title=title)
        index = STATUS_ORDER.index(status)
        if position > index:
            step.state = DONE
        elif position == index:
            step.reasons = edition_transition_blockers(edition, FORWARD[status])
            if not step.reasons:
                step.state = CURRENT
                step.action = _transition(edition, FORWARD[status], label)
            else:
                step.state = BLOCKED
                if fix == "screening":
                    url = reverse("admin:judging_screeningcase_changelist")
                    query = urlencode(
                        {"edition__id__exact": edition.pk, "status": CaseStatus.SUBMITTED}
                    )
                    step.action = Action(
                        label=_("审查已提交的案例"),
                        url=f"{url}?{query}",
                        permission="judging.change_screeningcase",
                    )
                else:
                    step.action = _edition_change(edition, _("修改本届设置"))
        steps.append(step)
    return steps


def _current_round(step, round_, edition):
    """Fill `step` for the round that is the next thing to do."""
    if round_.kind in NO_ADVANCEMENT:
        step.state = CURRENT
        step.notes.append(_("该轮次在其轮次页面开启和结束。"))
        step.action = Action(
            label=_("前往轮次页面:%(round)s") % {"round": round_.name},
            url=reverse("admin:judging_round_change", args=[round_.pk]),
            permission="judging.change_round",
        )
    elif round_.status == RoundStatus.DRAFT:
        checks = round_open_checks(round_)
        step.reasons = [message for _cause, message in checks]
        causes = {cause for cause, _message in checks}
        if not checks:
            step.state = CURRENT
            step.action = _round_action(
                round_,
                "open",
                _("开启轮次:%(round)s") % {"round": round_.name},
                post=True,
                edition=edition,
            )
            return
        step.state = BLOCKED
        if causes & {OpenCause.EDITION, OpenCause.PREVIOUS}:
            return  # an earlier step is the one to do
        if OpenCause.CRITERIA in causes:
            step.action = Action(
                label=_("设置评分指标:%(round)s") % {"round": round_.name},
                url=reverse("admin:judging_round_change", args=[round_.pk]),
                permission="judging.change_round",
            )
        elif OpenCause.SHORT in causes:
            step.action = _round_action(
                round_,
                "assign",
                _("自动分配专家:%(round)s") % {"round": round_.name},
                post=True,
                edition=edition,
            )
    elif round_.status == RoundStatus.OPEN:
        step.state = CURRENT
        judges, drafts = round_close_outstanding(round_)
        if judges:
            step.notes.append(_("%(count)s 位专家尚未提交全部评审。") % {"count": len(judges)})
        if drafts:
            step.notes.append(_("%(count)s 份核实记录仍为草稿。") % {"count": drafts})
        step.action = _round_action(
            round_, "close", _("结束轮次:%(round)s") % {"round": round_.name}, edition=edition
        )
    else:
        step.state = CURRENT
        step.action = _advancement(round_, edition)


def _round_steps(edition, position, rounds):
    reviewing = STATUS_ORDER.index(EditionStatus.REVIEWING)
    if not rounds:
        step = Step(key="rounds", title=_("评审轮次"))
        if position < reviewing:
            step.notes = [_("本届还没有评审轮次,请在评审开始前添加。")]
        elif position == reviewing:
            step.state = BLOCKED
            step.reasons = [_("本届还没有评审轮次。")]
            step.action = Action(
                label=_("添加评审轮次"),
                url=f"{reverse('admin:judging_round_add')}?{urlencode({'edition': edition.pk})}",
                permission="judging.add_round",
            )
        else:
            step.state = DONE
        return [step]
    steps = []
    for round_ in rounds:
        step = Step(
            key=f"round-{round_.pk}",
            title=_("%(round)s(%(kind)s)")
            % {"round": round_.name, "kind": round_.get_kind_display()},
        )
        step.round = round_
        step.optional = round_.kind == RoundKind.METRIC
        if position > STATUS_ORDER.index(EditionStatus.DECIDING) or _round_done(round_):
            step.state = DONE
        steps.append(step)
    return steps


def _decision_steps(edition, position, *, award_count):
    deciding = STATUS_ORDER.index(EditionStatus.DECIDING)
    published = STATUS_ORDER.index(EditionStatus.PUBLISHED)
    steps = [
        Step(key="deciding", title=_("进入评定")),
        Step(key="awards", title=_("提出并确认奖项方案")),
        Step(key="publicity", title=_("公示(可选)")),
        Step(key="publish", title=_("发布结果")),
        Step(key="archive", title=_("归档")),
    ]
    by_key = {step.key: step for step in steps}
    if position > STATUS_ORDER.index(EditionStatus.REVIEWING):
        by_key["deciding"].state = DONE
    if position > deciding or (position == deciding and award_count):
        by_key["awards"].state = DONE
    if position > deciding:
        by_key["publicity"].state = DONE
        if edition.publicity_starts_at and edition.publicity_ends_at:
            by_key["publicity"].notes.append(
                _("公示期:%(start)s 至 %(end)s。")
                % {
                    "start": local_time_label(edition.publicity_starts_at),
                    "end": local_time_label(edition.publicity_ends_at),
                }
            )
        else:
            by_key["publicity"].notes.append(_("本届未公示。"))
    if position >= published:
        by_key["publish"].state = DONE
        if edition.results_published_at:
            by_key["publish"].notes.append(
                _("结果发布时间:%(at)s。") % {"at": local_time_label(edition.results_published_at)}
            )
    if position > published:
        by_key["archive"].state = DONE
    return steps


def _current_decision(step, edition, *, award_count):
    if step.key == "deciding":
        step.reasons = edition_transition_blockers(edition, EditionStatus.DECIDING)
        step.state = BLOCKED if step.reasons else CURRENT
        if not step.reasons:
            step.action = _transition(edition, EditionStatus.DECIDING, _("进入评定"))
    elif step.key == "awards":
        inputs = proposal_inputs([edition])[edition.pk]
        step.reasons = awards_proposal_blockers(edition, inputs=inputs)
        if not step.reasons:
            step.state = CURRENT
            step.action = _award_page(edition, "propose", _("提出奖项方案"))
            return
        step.state = BLOCKED
        final, plenary = inputs.final_round, inputs.plenary
        if final is not None and final.status == RoundStatus.OPEN:
            step.action = _round_action(
                final, "close", _("结束轮次:%(round)s") % {"round": final.name}, edition=edition
            )
        elif final is not None and final.status == RoundStatus.CLOSED and plenary is not None:
            if plenary.status == RoundStatus.OPEN:
                step.action = _round_action(
                    plenary,
                    "close",
                    _("结束轮次:%(round)s") % {"round": plenary.name},
                    edition=edition,
                )
            elif plenary.status == RoundStatus.CLOSED:
                step.action = _advancement(plenary, edition)
        elif not inputs.has_tiers:
            step.action = _edition_change(edition, _("设置奖项"))
    elif step.key == "publicity":
        step.reasons = publicity_start_blockers(edition, award_count=award_count)
        step.state = BLOCKED if step.reasons else CURRENT
        if not step.reasons:
            step.action = _award_page(edition, "publicity", _("开始公示"))
            step.notes.append(_("公示是可选步骤。"))
            step.alternative = _award_page(edition, "publish", _("不公示,直接发布结果"))
    elif step.key == "publish":
        counts = publication_counts([edition])[edition.pk]
        step.reasons = publication_blockers(edition, allow_uncited=True, counts=counts)
        if counts.uncited:
            step.notes.append(
                _("%(count)s 个获奖案例没有安排点评;发布时须确认不设点评。")
                % {"count": counts.uncited}
            )
        if not step.reasons:
            step.state = CURRENT
            step.action = _award_page(edition, "publish", _("发布结果"))
            return
        step.state = BLOCKED
        if counts.pending:
            url = reverse("admin:judging_objection_changelist")
            query = urlencode(
                {"award__edition__id__exact": edition.pk, "status__exact": "received"}
            )
            step.action = Action(
                label=_("处理异议"), url=f"{url}?{query}", permission="judging.change_objection"
            )
        elif counts.in_progress:
            url = reverse("admin:judging_award_changelist")
            step.action = Action(
                label=_("审定点评"),
                url=f"{url}?{urlencode({'edition__id__exact': edition.pk})}",
                permission="judging.change_award",
            )
        elif edition.status == EditionStatus.PUBLICITY:
            step.action = _award_page(edition, "publicity_change", _("调整或提前结束公示期"))
    elif step.key == "archive":
        step.reasons = edition_transition_blockers(edition, EditionStatus.ARCHIVED)
        step.state = BLOCKED if step.reasons else CURRENT
        if not step.reasons:
            step.action = _transition(edition, EditionStatus.ARCHIVED, _("归档"))


def edition_workflow(edition):
    """The steps of `edition`'s workflow in order (a list of `Step`); the first step not
    done is the current one (or blocked, with its reasons), the later ones are to come."""
    position = STATUS_ORDER.index(EditionStatus(edition.status))
    rounds = list(
        Round.objects.filter(edition=edition)
        .annotate(
            entry_count=Count("entries"),
            undecided_count=Count("entries", filter=Q(entries__decided_at__isnull=True)),
        )
        .order_by("order", "pk")
    )
    award_count = edition.awards.count()
    steps = [
        *_edition_steps(edition, position),
        *_round_steps(edition, position, rounds),
        *_decision_steps(edition, position, award_count=award_count),
    ]
    current = next((s for s in steps if s.state != DONE and not s.optional), None)
    if current is None or current.state == BLOCKED:
        return steps  # every step done, or the edition steps decided it already
    if current.key.startswith("round-"):
        reviewing = STATUS_ORDER.index(EditionStatus.REVIEWING)
        if position >= reviewing:
            _current_round(current, current.round, edition)
    elif current.key in {"deciding", "awards", "publicity", "publish", "archive"}:
        _current_decision(current, edition, award_count=award_count)
    return steps
