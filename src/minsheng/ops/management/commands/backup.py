from django.core.management.base import BaseCommand, CommandError

from minsheng.ops.backup import BackupError, take_backup


class Command(BaseCommand):
    help = ("Back the database up while the site runs (SQLite's online backup API, or pg_dump -Fc on PostgreSQL), "
            "with the uploaded files, into a new directory; see docs/operations.md.")

    def add_arguments(self, parser):
        parser.add_argument("target", help="the backup directory to create (e.g. /var/backups/minsheng/2026-12-06)")
        parser.add_argument("--force", action="store_true", help="replace the target if it exists")
        parser.add_argument("--no-media", action="store_true", help="leave the uploaded files (MEDIA_ROOT) out")

    def handle(self, *args, target: str, force: bool, no_media: bool, **options):
        try:
            manifest = take_backup(target, force=force, media=not no_media)
        except BackupError as exc:
            raise CommandError(exc.message) from None
        rows = sum(manifest.counts.values())
        self.stdout.write(f"backup written to {target}: {manifest.engine}, {len(manifest.counts)} tables, "
                          f"{rows} rows, {manifest.counts.get('demands_demand', 0)} demands"
                          f"{', uploaded files' if manifest.media else ''}")
