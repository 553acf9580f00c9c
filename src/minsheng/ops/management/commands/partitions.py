"""manage.py partitions: monthly partitions of the event log and the other growing tables
(PostgreSQL only; docs/operations.md, Partitions)."""

from django.core.management.base import BaseCommand, CommandError

from minsheng.ops import partitions


class Command(BaseCommand):
    help = ("List the monthly partitions (PostgreSQL), create the current month's and the next N "
            "(--ahead N; the worker does it every hour), or detach / attach an old month for archive.")

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--ahead", type=int, metavar="N",
                            help="create the partitions of the current month and the next N months (idempotent)")
        action.add_argument("--detach", metavar="YYYY-MM", help="detach this month's partitions for archive")
        action.add_argument("--attach", metavar="YYYY-MM", help="attach this month's archived partitions again")
        parser.add_argument("--table", help="only this table (default: every partitioned table)")

    def handle(self, *args, ahead=None, detach=None, attach=None, table=None, **options):
        if not partitions.is_postgresql():
            self.stdout.write("no partitions: the database is not PostgreSQL (SQLite keeps plain tables)")
            return
        try:
            if ahead is not None:
                created = partitions.create_ahead(ahead)
                self.stdout.write(f"created {len(created)} partitions" + "".join(f"\n  {n}" for n in created))
            elif detach:
                done = partitions.detach(partitions.parse_month(detach), table)
                self.stdout.write("detached (plain tables now; archive with pg_dump -t NAME, then drop or attach):"
                                  + "".join(f"\n  {n}" for n in done))
            elif attach:
                done = partitions.attach(partitions.parse_month(attach), table)
                self.stdout.write("attached:" + "".join(f"\n  {n}" for n in done))
            else:
                for parent, name, estimate in partitions.describe():
                    self.stdout.write(f"{parent}\t{name}\t~{estimate} rows")
        except partitions.PartitionRefused as exc:
            raise CommandError(exc.message) from None
