from django.contrib.auth.models import Permission

from judging.content.models import Article, ArticleKind
from judging.content.services import article_save, article_transition
from tests.factories import make_user

EDITOR_PERMS = [
    "add_article",
    "change_article",
    "view_article",
    "submit_article",
    "add_articleattachment",
    "change_articleattachment",
    "view_articleattachment",
    "delete_articleattachment",
]
APPROVER_PERMS = EDITOR_PERMS + [
    "approve_article",
    "publish_article",
    "withdraw_article",
    "preview_article",
]


def user_with(perms, **fields):
    user = make_user(is_staff=True, is_superuser=False, **fields)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="judging", codename__in=perms)
    )
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def editor():
    return user_with(EDITOR_PERMS)


def approver():
    return user_with(APPROVER_PERMS)


def make_article(*, programme, by, kind=ArticleKind.NOTICE, title="通知", slug=None, **fields):
    article = Article(
        programme=programme,
        kind=kind,
        title=title,
        slug=slug or f"a-{Article.objects.count() + 1}",
        **fields,
    )
    return article_save(article=article, by=by)


def publish(article, *, by, at=None):
    for to in ("submitted", "approved"):
        article_transition(article=article, to=to, by=by)
    if at is None:
        return article_transition(article=article, to="published", by=by)
    return article_transition(article=article, to="scheduled", by=by, publish_at=at)
