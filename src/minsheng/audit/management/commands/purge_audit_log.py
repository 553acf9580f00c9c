"""Remove audit records older than the retention (MINSHENG_AUDIT_RETENTION_DAYS, at least 180 days):
the job a scheduler runs, e.g. daily.  Nothing younger is ever removed."""

from django.core.management.base import BaseCommand

from minsheng.audit import services


class Command(BaseCommand):
    help = "Remove audit records (sign-ins, configuration changes, personal-data views) past their retention."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed, remove nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        purged = services.purge(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(
            f"retention {services.retention_days()} days, cutoff {purged.cutoff:%Y-%m-%d %H:%M:%S %Z}: {verb} "
            f"{purged.audit_entries} audit entries, {purged.personal_data_accesses} personal-data views, "
            f"{purged.axes_logs} sign-in log rows")
