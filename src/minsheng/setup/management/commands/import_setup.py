"""``manage.py import_setup <kind> <file> [--dry-run]``: load a territory from an office's files.

The same checks and the same all-or-nothing transaction as the administrators' page
(``minsheng.setup.imports``); every error is printed as "row N, column: message".
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from minsheng.core.errors import MinshengError
from minsheng.organisation.models import SetupImport
from minsheng.setup.access import territory_paths
from minsheng.setup.imports import MAX_ERRORS_SHOWN, import_file


class Command(BaseCommand):
    help = "Import regions, boundaries (GeoJSON), units, accounts or the dispatch catalogue from a file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=SetupImport.Kind.values)
        parser.add_argument("file", help=".xlsx or .csv (UTF-8 or GBK); .geojson for boundaries")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument("--as-user", help="import within this administrator's territory (default: everywhere)")

    def handle(self, *args, kind, file, dry_run, as_user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("文件不存在：%(path)s") % {"path": file})
        actor = None
        if as_user:
            actor = get_user_model().objects.filter(username=as_user).first()
            if actor is None:
                raise CommandError(_("用户不存在：%(name)s") % {"name": as_user})
        paths = territory_paths(actor)
        try:
            outcome = import_file(kind, path.read_bytes(), path.name, paths, dry_run=dry_run)
        except MinshengError as exc:
            raise CommandError(exc.message) from None
        for error in outcome.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(_("第 %(row)s 行，%(column)s：%(message)s") % error)
        summary = _("新增 %(create)d，更新 %(update)d，不变 %(same)d。") % {
            "create": outcome.count("create"), "update": outcome.count("update"), "same": outcome.count("same")}
        if outcome.errors:
            raise CommandError(_("有 %(n)d 行数据有错误，没有导入任何数据。") % {
                "n": len({e["row"] for e in outcome.errors})})
        if dry_run:
            self.stdout.write(_("试导入通过（未写入）：%(summary)s") % {"summary": summary})
        else:
            self.stdout.write(self.style.SUCCESS(_("导入完成：%(summary)s") % {"summary": summary}))
