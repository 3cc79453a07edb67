"""Seed the category tree, the responsibility matrix (from seeds S0 and S3) and the
deadline classes of complaints.md §2.5. The district administrator edits all three."""

from django.db import migrations


def seed(apps, schema_editor):
    from anju.workorders.seeds import seed_matrix

    seed_matrix(
        apps.get_model("workorders", "Category"),
        apps.get_model("workorders", "ResponsibilityRule"),
        apps.get_model("workorders", "DeadlineClass"),
    )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
