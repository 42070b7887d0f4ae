"""Spreadsheet import and export of past awards (历史获奖名单), for the public archive.

A row is one award: 评选活动 + 届, 类别, 奖项, the case (案例编号 or 案例名称, 主创单位, 报送单位,
案例简介) and its signed citation (点评 / 推荐语, 点评专家, 专家职称, 署名). The rules of every
import hold (`cases.resources.StrictImportResource`: all or nothing, Excel row numbers, units
must already exist). The case is found in the edition by 案例编号, else by exact 案例名称, or
created as an awarded archive case; an existing case is matched, not edited, and a row that
disagrees with it about its lead units is refused. The award itself is written by
`judging.services.archive.archive_award`, the same door the demo builder uses.

Judges (评审专家, `JudgeResource`) follow the same rules; see the class.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from import_export import widgets
from import_export.fields import Field

from cases.models import Case, CaseLeadUnit, CaseStatus, Region
from cases.resources import (
    RowError,
    StrictImportResource,
    TextWidget,
    cell_text,
    find_case,
)
from cases.services import DomainError
from cases.services.imports import reference_reserve

from .models import Award, Judge
from .services.archive import archive_award
from .services.setup import judge_account_for


class OrderWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return 0
        if not text.isdigit():
            raise RowError(_("排序须为不小于 0 的整数。"))
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


class AwardArchiveResource(StrictImportResource):
    programme = Field(column_name="评选活动", readonly=True)
    edition = Field("edition", "届", readonly=True)
    category = Field("category", "类别", readonly=True)
    tier = Field("tier", "奖项", readonly=True)
    order = Field("order", "排序", widget=OrderWidget())
    reference = Field(column_name="案例编号", readonly=True)
    case_title = Field(column_name="案例名称", readonly=True)
    lead_units = Field(column_name="主创单位", readonly=True)
    submitting_unit = Field(column_name="报送单位", readonly=True)
    summary = Field(column_name="案例简介", readonly=True)
    citation = Field("citation", "点评", widget=TextWidget())
    commentator = Field(column_name="点评专家", readonly=True)
    commentator_title = Field(column_name="专家职称", readonly=True)
    signed_as = Field("signed_as", "署名", widget=TextWidget())

    required_columns = ("评选活动", "届", "奖项", "案例名称")
    resolved_foreign_keys = ("edition", "case", "tier", "category", "commentator")
    header_aliases = {"推荐语": "点评", "点评/推荐语": "点评", "点评语": "点评"}

    class Meta:
        model = Award
        fields = (
            "programme",
            "edition",
            "category",
            "tier",
            "order",
            "reference",
            "case_title",
            "lead_units",
            "submitting_unit",
            "summary",
            "citation",
            "commentator",
            "commentator_title",
            "signed_as",
        )
        # The identity is the case (edition + 案例编号 or 案例名称), resolved in get_instance().
        import_id_fields = ("case_title",)
        clean_model_instances = True
        skip_unchanged = False

    def get_queryset(self):
        return Award.objects.select_related(
            "edition__programme", "tier", "category", "case__submitting_unit", "commentator"
        ).prefetch_related(
            Prefetch("case__lead_unit_links", queryset=CaseLeadUnit.objects.select_related("unit"))
        )

    # --- export ---------------------------------------------------------------------------
    def dehydrate_programme(self, award):
        return award.edition.programme.name

    def dehydrate_edition(self, award):
        return award.edition.slug

    def dehydrate_category(self, award):
        return award.category.name if award.category_id else ""

    def dehydrate_tier(self, award):
        return award.tier.name

    def dehydrate_reference(self, award):
        return award.case.reference

    def dehydrate_case_title(self, award):
        return award.case.title

    def dehydrate_lead_units(self, award):
        return "、".join(link.unit.name for link in award.case.lead_unit_links.all())

    def dehydrate_submitting_unit(self, award):
        return award.case.submitting_unit.name if award.case.submitting_unit_id else ""

    def dehydrate_summary(self, award):
        return award.case.summary

    def dehydrate_commentator(self, award):
        return award.commentator.name if award.commentator_id else ""

    def dehydrate_commentator_title(self, award):
        return award.commentator.title if award.commentator_id else ""

    # --- import ---------------------------------------------------------------------------
    def edition_of(self, row):
        return self.edition_of_row(row, programme_column="评选活动", edition_column="届")

    def get_instance(self, instance_loader, row):
        try:
            edition = self.edition_of(row)
        except RowError:
            return None  # reported by import_relations
        case, error = find_case(
            edition, reference=cell_text(row.get("案例编号")), title=cell_text(row.get("案例名称"))
        )
        if error:
            self.row_plan["match_error"] = error
        self.row_plan["case"] = case
        return Award.objects.filter(case=case).first() if case else None

    def import_relations(self, instance, row, errors, **kwargs):
        edition = self.resolve(errors, "届", self.edition_of, row)
        if edition is None:
            self.row_plan["unresolved"] = {"edition", "case", "tier", "category"}
            return
        instance.edition = edition
        if "match_error" in self.row_plan:
            errors["案例名称"].append(self.row_plan["match_error"])
        reference, title = cell_text(row.get("案例编号")), cell_text(row.get("案例名称"))
        key = ("case", edition.pk, reference) if reference else ("title", edition.pk, title)
        self.resolve(errors, "案例名称", self.remember, key, **kwargs)

        instance.tier = self.resolve(errors, "奖项", self.tier_of, edition, row["奖项"])
        category = self.resolve(errors, "类别", self.category_of, edition, row.get("类别"))
        lead_units = self.resolve(
            errors, "主创单位", self.units_named, row.get("主创单位"), what=_("主创单位")
        )
        name = cell_text(row.get("报送单位"))
        submitting_unit = (
            self.resolve(errors, "报送单位", self.unit_named, name, what=_("报送单位"))
            if name
            else None
        )
        case = self.row_plan.get("case")
        if case is not None:
            self.check_existing_case(case, lead_units, errors)
        elif "match_error" not in self.row_plan:
            case = self.new_case(edition, category, lead_units, submitting_unit, row, errors)
            case.created_by = kwargs.get("user")
            self.row_plan["unresolved"] = {"case"}  # saved with the award, in save_instance()
        if case is not None:
            instance.case = case
            instance.category = category or case.category
        else:
            self.row_plan["unresolved"] = {"case"}
        instance.commentator = self.resolve(errors, "点评专家", self.commentator_of, row)

    def tier_of(self, edition, text):
        text = cell_text(text)
        tiers = self.memoised("tiers", edition.pk, lambda: list(edition.tiers.all()))
        for tier in tiers:
            if tier.name == text:
                return tier
        raise RowError(
            _("“%(edition)s”没有奖项“%(name)s”。可填:%(options)s。请先在该届的奖项中添加。")
            % {
                "edition": edition,
                "name": text,
                "options": pgettext("list separator", "、").join(tier.name for tier in tiers)
                or "—",
            }
        )

    def check_existing_case(self, case, lead_units, errors):
        if not lead_units:
            return
        current = [link.unit for link in case.lead_unit_links.select_related("unit")]
        if [unit.pk for unit in current] != [unit.pk for unit in lead_units]:
            errors["主创单位"].append(
                _(
                    "案例“%(case)s”已在系统中,主创单位为“%(units)s”,与本行不一致。"
                    "请改正本行,或先在案例中修改主创单位。"
                )
                % {
                    "case": case.title,
                    "units": pgettext("list separator", "、").join(unit.name for unit in current)
                    or "—",
                }
            )

    def new_case(self, edition, category, lead_units, submitting_unit, row, errors):
        """An archive case, saved only once the whole row is valid."""
        if lead_units is not None and not lead_units:
            errors["主创单位"].append(_("新建案例必须填写主创单位。"))
        case = Case(
            edition=edition,
            category=category,
            reference=cell_text(row.get("案例编号")),
            title=cell_text(row.get("案例名称")),
            summary=cell_text(row.get("案例简介")),
            submitting_unit=submitting_unit,
            owner_unit=submitting_unit or (lead_units[0] if lead_units else None),
            status=CaseStatus.AWARDED,
        )
        try:
            case.full_clean(exclude={"edition", "category", "owner_unit", "submitting_unit"})
        except ValidationError as error:
            columns = {"title": "案例名称", "reference": "案例编号", "summary": "案例简介"}
            for field, messages in error.message_dict.items():
                errors[columns.get(field, "案例名称")].extend(messages)
        self.row_plan["lead_units"] = lead_units or []
        return case

    def commentator_of(self, row):
        """The signing expert: the judge with this name and title, or (title blank) the only
        judge with this name; otherwise a new commentator without an account is created when
        the row is saved."""
        name, title = cell_text(row.get("点评专家")), cell_text(row.get("专家职称"))
        if not name:
            if title:
                raise RowError(_("填写了专家职称,但没有填写点评专家姓名。"), column="点评专家")
            return None
        judges = Judge.objects.filter(name=name)
        if title:
            judges = judges.filter(title=title)
        found = list(judges[:2])
        if len(found) == 1 or (found and title):
            return found[0]
        if found:
            raise RowError(
                _("有不止一位名为“%(name)s”的专家,请填写专家职称以区分。") % {"name": name}
            )
        self.row_plan["new_commentator"] = Judge(name=name, title=title, public=True)
        return None

    def save_instance(self, instance, is_create, row, **kwargs):
        with transaction.atomic():
            case = instance.case
            if case.pk is None:
                case.save()
                CaseLeadUnit.objects.bulk_create(
                    CaseLeadUnit(case=case, unit=unit, order=order)
                    for order, unit in enumerate(self.row_plan["lead_units"])
                )
                if case.reference:
                    reference_reserve(edition=case.edition, reference=case.reference)
            commentator = instance.commentator
            if "new_commentator" in self.row_plan:
                commentator = self.row_plan["new_commentator"]
                commentator.save()
            award = archive_award(
                case=case,
                tier=instance.tier,
                category=instance.category,
                order=instance.order,
                citation=instance.citation,
                commentator=commentator,
                signed_as=instance.signed_as,
                by=kwargs.get("user"),
            )
        # The service is the one door; the resource's instance mirrors what it wrote, for the
        # import report and the admin's log entries.
        instance.pk = award.pk
        instance.refresh_from_db()


# --- 评审专家 ---------------------------------------------------------------------------------
class PublicWidget(widgets.Widget):
    """可公开署名: 是 / 否; an empty cell keeps the model's default (是)."""

    TRUE = {"是", "可以", "公开", "y", "yes", "true", "1"}
    FALSE = {"否", "不可以", "不公开", "n", "no", "false", "0"}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).lower()
        if not text or text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise RowError(_("请填写“是”或“否”。"))

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class JudgeResource(StrictImportResource):
    """评审专家: one row per judge, matched by 电子邮箱 (the login account; an existing judge
    with that address is updated). A new address creates the account without a usable
    password: the judge sets it from the invitation e-mail. 所在单位 is a unit's exact name
    (never created here), 地区 a region's path (广东省/广州市) or unambiguous name."""

    name = Field("name", "姓名", widget=TextWidget())
    title = Field("title", "职称与职务", widget=TextWidget())
    affiliation = Field("affiliation", "所在单位", readonly=True)
    region = Field("region", "地区", readonly=True)
    bio = Field("bio", "简介", widget=TextWidget())
    public = Field("public", "可公开署名", widget=PublicWidget())
    email = Field(column_name="电子邮箱", readonly=True)

    required_columns = ("姓名", "电子邮箱")
    resolved_foreign_keys = ("affiliation", "region", "user")

    class Meta:
        model = Judge
        fields = ("name", "title", "affiliation", "region", "bio", "public", "email")
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False

    def get_queryset(self):
        return Judge.objects.select_related("affiliation", "region", "user")

    def get_instance(self, instance_loader, row):
        email = cell_text(row.get("电子邮箱")).lower()
        if not email:
            return None
        return self.get_queryset().filter(user__email__iexact=email).first()

    def dehydrate_affiliation(self, judge):
        return judge.affiliation.name if judge.affiliation_id else ""

    def dehydrate_region(self, judge):
        return judge.region.path if judge.region_id else ""

    def dehydrate_email(self, judge):
        return judge.user.email if judge.user_id else ""

    def import_relations(self, instance, row, errors, **kwargs):
        email = self.resolve(errors, "电子邮箱", self.email_of, row.get("电子邮箱"))
        if email:
            self.resolve(errors, "电子邮箱", self.remember, ("judge", email), **kwargs)
            self.row_plan["email"] = email
        if "所在单位" in row:
            name = cell_text(row["所在单位"])
            instance.affiliation = (
                self.resolve(errors, "所在单位", self.unit_named, name, what=_("所在单位"))
                if name
                else None
            )
        if "地区" in row:
            instance.region = self.resolve(errors, "地区", self.region_of, row["地区"])

    def email_of(self, value):
        email = cell_text(value).lower()
        if not email:
            raise RowError(_("必须填写电子邮箱(专家的登录账号)。"))
        try:
            validate_email(email)
        except ValidationError:
            raise RowError(_("“%(email)s”不是有效的电子邮箱地址。") % {"email": email}) from None
        return email

    def region_of(self, value):
        text = "/".join(part.strip() for part in cell_text(value).replace("›", "/").split("/"))
        if not text:
            return None

        def find():
            region = Region.objects.filter(path=text).first()
            if region is not None:
                return region
            matches = list(Region.objects.filter(name=text)[:2])
            if len(matches) > 1:
                return RowError(
                    _("地区“%(name)s”有重名,请填写完整路径,如 广东省/广州市。") % {"name": text}
                )
            return matches[0] if matches else RowError(_("地区“%(name)s”不存在。") % {"name": text})

        found = self.memoised("region", text, find)
        if isinstance(found, RowError):
            raise found
        return found

    def before_save_instance(self, instance, row, **kwargs):
        email = self.row_plan.get("email")
        if email and (instance.user_id is None or instance.user.email.lower() != email):
            try:
                instance.user = judge_account_for(judge=instance, email=email)
            except DomainError as error:
                raise ValidationError({"电子邮箱": [str(error)]}) from None
