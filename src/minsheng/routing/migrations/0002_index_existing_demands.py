"""Fingerprint the demands that exist before smart dispatch, so that duplicate search and hot
issues see them too (new demands are fingerprinted when registered)."""

from django.db import migrations

import numpy as np

BANDS = 32
_BAND_MULT = np.uint64(0x9E3779B97F4A7C15)
OPEN_STATES = ("registered", "pending_dispatch", "dispatched", "in_progress", "returned", "escalated", "suspended")


def band_keys(signature: np.ndarray) -> list[int]:
    """The duplicate search's band keys of that time (the bands were removed in 0003; kept here so
    that the migration still runs on a new database)."""
    values = signature[:BANDS].astype(np.uint64)
    keys = np.arange(1, BANDS + 1, dtype=np.uint64) * _BAND_MULT + values
    return keys.view(np.int64).tolist()


def index_existing(apps, schema_editor):
    from minsheng.routing.duplicates import bigrams, minhash

    Demand = apps.get_model("demands", "Demand")
    Signature = apps.get_model("routing", "DuplicateSignature")
    Band = apps.get_model("routing", "DuplicateBand")
    Region = apps.get_model("organisation", "Region")
    regions = {r.pk: r for r in Region.objects.all()}
    done = set(Signature.objects.values_list("demand_id", flat=True))
    signatures, bands = [], []
    for d in Demand.objects.exclude(pk__in=done).iterator(chunk_size=2000):
        region = regions[d.region_id]
        grid = regions.get(region.parent_id) if region.kind == "building" else region
        lat, lng = (d.latitude, d.longitude) if d.latitude is not None else (region.latitude, region.longitude)
        signature = minhash(bigrams(d.title, d.description))
        is_open, registered = d.state in OPEN_STATES, int(d.registered_at.timestamp())
        signatures.append(Signature(demand_id=d.pk, grid_id=grid.pk, is_open=is_open, registered=registered,
                                    latitude=float(lat) if lat is not None else None,
                                    longitude=float(lng) if lng is not None else None, minhash=signature.tobytes()))
        bands += [Band(signature_id=d.pk, key=k, grid_id=grid.pk, is_open=is_open, registered=registered)
                  for k in band_keys(signature)]
        if len(signatures) >= 2000:
            Signature.objects.bulk_create(signatures)
            Band.objects.bulk_create(bands, batch_size=5000)
            signatures, bands = [], []
    Signature.objects.bulk_create(signatures)
    Band.objects.bulk_create(bands, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]
    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
