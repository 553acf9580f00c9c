from django.core.management.base import BaseCommand

from minsheng.notifications.worker import Worker


class Command(BaseCommand):
    help = "Deliver the notification outbox and run the periodic sweeps until stopped (SIGTERM/Ctrl-C)."

    def add_arguments(self, parser):
        parser.add_argument("--until-idle", action="store_true", help="exit once no message is due")
        parser.add_argument("--batch", type=int, default=None, help="messages claimed per batch")
        parser.add_argument("--poll", type=float, default=None, help="seconds to wait when nothing is due")
        parser.add_argument("--no-sweeps", action="store_true", help="deliver only, run no periodic sweep")

    def handle(self, *args, until_idle=False, batch=None, poll=None, no_sweeps=False, **options):
        Worker(batch=batch, poll_seconds=poll, sweeps=not no_sweeps).run(until_idle=until_idle)
