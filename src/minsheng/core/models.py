from django.db import models


class ConfigVersion(models.Model):
    """One row whose number changes whenever a table that processes keep copies of changes
    (API keys, accounts, memberships, units, regions, the catalogue): see core.versioned.
    Internal: not shown anywhere."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)
