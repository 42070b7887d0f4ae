"""The CMS in the back office: articles (rich-text editor, attachments, workflow actions),
images, menus. Every workflow step is an admin action that calls `article_transition`, which
checks the step's permission; the changelist offers only the actions the user holds."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.services.lifecycle import audit_log
from cases.uploads import inspect_file

from .drafting import draft_results_article, draft_unit_report
from .forms import ArticleAdminForm, DraftFromDataForm
from .models import Article, ArticleAttachment, ArticleImage, ArticleStatus, MenuItem
from .services import ATTACHMENT_TYPES, article_save, article_transition, reencode_image
from .views import preview_url
from .widgets import ArticleEditorWidget


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = ArticleAttachment
        fields = ["title", "file", "order"]

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file and hasattr(file, "content_type"):  # a new upload
            inspected = inspect_file(file, allowed=ATTACHMENT_TYPES)
            self.instance.original_name = inspected.original_name
            self.instance.content_type = inspected.content_type
            self.instance.size = inspected.size
            self.instance.sha256 = inspected.sha256
        return file


class AttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    form = AttachmentForm
    extra = 1
    fields = ["title", "file", "order", "content_type", "size"]
    readonly_fields = ["content_type", "size"]


class EditorArticleForm(ArticleAdminForm):
    class Meta(ArticleAdminForm.Meta):
        widgets = {"body": ArticleEditorWidget()}


def _step(to, label, permission):
    def action(modeladmin, request, queryset):
        done = 0
        for article in queryset:
            try:
                article_transition(
                    article=article,
                    to=to,
                    by=request.user,
                    publish_at=article.publish_at if to == ArticleStatus.SCHEDULED else None,
                )
                done += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                modeladmin.message_user(request, f"{article}:{text}", messages.ERROR)
        if done:
            modeladmin.message_user(request, gettext("%(n)d 篇文章已处理。") % {"n": done})

    action.__name__ = f"make_{to}"
    return admin.action(description=label, permissions=[permission])(action)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = EditorArticleForm
    list_display = ["title", "programme", "kind", "status", "publish_at", "updated_at"]
    list_filter = ["programme", "kind", "status"]
    search_fields = ["title"]
    prepopulated_fields = {}
    autocomplete_fields = ["cases", "units"]
    readonly_fields = ["status", "preview_link", "versions_list"]
    inlines = [AttachmentInline]
    list_select_related = ["programme"]
    actions = [
        _step(ArticleStatus.SUBMITTED, _("提交审核"), "submit"),
        _step(ArticleStatus.APPROVED, _("审核通过"), "approve"),
        _step(ArticleStatus.DRAFT, _("退回修改"), "approve"),
        _step(ArticleStatus.PUBLISHED, _("立即发布"), "publish"),
        _step(ArticleStatus.SCHEDULED, _("按发布时间定时发布"), "publish"),
        _step(ArticleStatus.WITHDRAWN, _("撤回"), "withdraw"),
    ]

    def has_submit_permission(self, request):
        return request.user.has_perm("judging.submit_article")

    def has_approve_permission(self, request):
        return request.user.has_perm("judging.approve_article")

    def has_publish_permission(self, request):
        return request.user.has_perm("judging.publish_article")

    def has_withdraw_permission(self, request):
        return request.user.has_perm("judging.withdraw_article")

    def has_change_permission(self, request, obj=None):
        # A public article is withdrawn before it is edited: what readers saw stays a version.
        if obj is not None and obj.status in (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED):
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("预览链接"))
    def preview_link(self, obj):
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', preview_url(obj), gettext("预览(需预览权限)"))

    @admin.display(description=_("已发布版本"))
    def versions_list(self, obj):
        if obj.pk is None:
            return "—"
        from django.urls import reverse

        return (
            format_html_join(
                ", ",
                '<a href="{}">v{} · {}</a>',
                (
                    (
                        reverse(
                            "content:article-version", kwargs={"pk": obj.pk, "number": v.number}
                        ),
                        v.number,
                        timezone.localtime(v.publish_at).strftime("%Y-%m-%d %H:%M"),
                    )
                    for v in obj.versions.all()
                ),
            )
            or "—"
        )

    def save_model(self, request, obj, form, change):
        article_save(article=obj, by=request.user)

    def get_urls(self):
        return [
            path(
                "draft-from-data/",
                self.admin_site.admin_view(self.draft_from_data_view),
                name="judging_article_draft_from_data",
            )
        ] + super().get_urls()

    def draft_from_data_view(self, request):
        """Generate a results article or a 成绩单 as a draft, then edit it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DraftFromDataForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                if form.cleaned_data["edition"]:
                    article = draft_results_article(
                        edition=form.cleaned_data["edition"], by=request.user
                    )
                else:
                    article = draft_unit_report(unit=form.cleaned_data["unit"], by=request.user)
            except ValidationError as error:
                form.add_error("edition", error)
            else:
                messages.success(request, gettext("已生成草稿,请修改后提交审核。"))
                return redirect("admin:judging_article_change", article.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("从数据生成文章草稿"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "judging/content/admin_draft_from_data.html", context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            for attachment in formset.new_objects:
                audit_log(
                    code="judging.article.attachment_added",
                    obj=form.instance,
                    by=request.user,
                    data={"attachment": attachment.pk, "name": attachment.original_name},
                )


class ImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["file", "alt"]

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file and hasattr(file, "content_type"):  # a new upload: re-encoded, random name
            content, self.instance.width, self.instance.height = reencode_image(file)
            return content
        return file


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["__str__", "width", "height", "image_url", "created_at"]
    readonly_fields = ["width", "height", "image_url"]

    @admin.display(description=_("图片地址(插入正文时使用)"))
    def image_url(self, obj):
        return obj.get_absolute_url() if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        if obj.uploaded_by_id is None:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(MenuItem)
class MenuItemAdmin(admin.ModelAdmin):
    list_display = ["label", "programme", "order", "article", "url"]
    list_filter = ["programme"]
    list_editable = ["order"]
    autocomplete_fields = ["article"]
    fields = ["programme", "label", "article", "url", "order"]
