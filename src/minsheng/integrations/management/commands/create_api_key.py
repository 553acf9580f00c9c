"""manage.py create_api_key --name NAME --user USERNAME --region CODE --actions read,register,…

Prints the key once (only its hash is stored)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from minsheng.core.errors import MinshengError
from minsheng.organisation.models import Region

from ...services import KEY_ACTIONS, create_api_key


class Command(BaseCommand):
    help = "Create an API key for an integration and print it once."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="who uses it, e.g. 12345平台")
        parser.add_argument("--user", required=True, help="the account it acts as (its roles give its scope)")
        parser.add_argument("--region", required=True, help="region code the key is limited to")
        parser.add_argument("--actions", default="read,register",
                            help=f"comma-separated, from: {', '.join(sorted(KEY_ACTIONS))}")
        parser.add_argument("--rate", type=int, default=600, help="requests per minute")

    def handle(self, *args, name, user, region, actions, rate, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user named {user!r}")
        area = Region.objects.filter(code=region).first()
        if area is None:
            raise CommandError(f"no region with code {region!r}")
        if rate < 1:
            raise CommandError("--rate must be at least 1")
        try:
            _, raw = create_api_key(name=name, user=account, region=area, rate_per_minute=rate,
                                    actions=[a.strip() for a in actions.split(",") if a.strip()])
        except MinshengError as refusal:
            raise CommandError(refusal.message) from None
        self.stdout.write(raw)
