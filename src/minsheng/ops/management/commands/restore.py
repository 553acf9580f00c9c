from django.core.management.base import BaseCommand, CommandError

from minsheng.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = ("Restore a backup written by `manage.py backup` into the configured database (stop the server and "
            "the worker first); checks every table's row count against the backup's.")

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup directory")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that already has users or demands")
        parser.add_argument("--no-media", action="store_true", help="leave the uploaded files as they are")

    def handle(self, *args, source: str, force: bool, no_media: bool, **options):
        try:
            manifest = restore_backup(source, force=force, media=not no_media)
        except BackupError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"restored {source} (taken {manifest.created_at}): {len(manifest.counts)} tables, "
                          f"{sum(manifest.counts.values())} rows, counts match the backup. "
                          "Run `manage.py verify_events` to check the event log.")
