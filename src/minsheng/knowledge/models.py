"""The operators' knowledge base (知识库): articles kept by the units that answer for them.

An article's row is its working copy, which its owner unit edits; the centre approves a copy
for publication, which freezes it as an ``ArticleVersion`` (each published version is kept, and a
consultation answered from the article cites the article and that version on its event).  What
operators and residents read is always the current published version, never a draft.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import Category
from minsheng.organisation.models import Region, Unit
from minsheng.search.models import DocumentField

SEARCH_TABLE = "search_article"


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤下")

    title = models.CharField(_("标题"), max_length=100)
    answer = models.TextField(_("答复口径"))
    materials = models.TextField(_("一次性告知材料"), blank=True, help_text=_("每行一项"))
    where_when = models.TextField(_("办理地点和时间"), blank=True)
    legal_basis = models.TextField(_("政策依据"), blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("分类"))
    # Empty: the whole district.  A community or street: there and below only.
    regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("适用区域"))
    owner_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="articles",
                                   verbose_name=_("维护单位"))
    expert_seat = models.BooleanField(_("专家座席"), default=False,
                                      help_text=_("勾选后，话务员不直接答复，而是把咨询转给维护单位办理"))
    review_by = models.DateField(_("复审日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    current = models.ForeignKey("ArticleVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("当前发布版本"))
    # The review date already told to the owner unit (the sweep tells each date once).
    review_flagged_for = models.DateField(null=True, blank=True, editable=False)
    reject_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("更新人"))

    class Meta:
        verbose_name = _("知识库文章")
        verbose_name_plural = _("知识库文章")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["status", "review_by"], name="article_status_review")]

    def __str__(self) -> str:
        return self.title

    @property
    def materials_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    @property
    def live(self) -> bool:
        """Whether operators and residents read it: it has a published version and is not withdrawn."""
        return self.current_id is not None and self.status != self.Status.WITHDRAWN


class ArticleVersion(models.Model):
    """A published version, frozen: what operators read out while it was current."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("文章"))
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=100)
    answer = models.TextField(_("答复口径"))
    materials = models.TextField(_("一次性告知材料"), blank=True)
    where_when = models.TextField(_("办理地点和时间"), blank=True)
    legal_basis = models.TextField(_("政策依据"), blank=True)
    expert_seat = models.BooleanField(_("专家座席"), default=False)
    review_by = models.DateField(_("复审日期"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("提交人"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("审核人"))
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("文章版本")
        verbose_name_plural = _("文章版本")
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def materials_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class ArticleDocument(models.Model):
    """A live article's row of the full-text index (search/): the words of its current version's
    title, answer and materials, in the database's own structure (migration 0001 creates the table
    for the vendor, as ``search.0001`` does for demands); ``services`` writes it."""

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.DO_NOTHING, db_column="rowid",
                                   db_constraint=False, related_name="search_document", verbose_name=_("文章"))
    document = DocumentField(_("检索词"))

    class Meta:
        db_table = SEARCH_TABLE
        verbose_name = _("文章检索文档")
        verbose_name_plural = _("文章检索文档")

    def __str__(self) -> str:
        return f"{self.article_id}: {self.document[:40]}"
