"""Seed the category tree, the responsibility matrix (from seeds S0 and S3) and the
deadline classes of complaints.md §2.5. The district administrator edits all three."""

from django.db import migrations


def seed(apps, schema_editor):
    from anju.workorders.deadlines import DEFAULT_CLASSES
    from anju.workorders.matrix_data import CATEGORIES, RULES

    Category = apps.get_model("workorders", "Category")
    Rule = apps.get_model("workorders", "ResponsibilityRule")
    DeadlineClass = apps.get_model("workorders", "DeadlineClass")
    if Category.objects.exists():
        return
    by_code = {}
    for c in CATEGORIES:  # parents come before their children
        by_code[c["code"]] = Category.objects.create(
            code=c["code"],
            parent=by_code.get(c["parent"]) if c["parent"] else None,
            name=c["name"],
            deadline_class=c["deadline_class"],
            kind=c["kind"],
        )
    Rule.objects.bulk_create(
        Rule(
            category=by_code[r["category"]],
            estate_kind=r["estate_kind"] or "",
            lead=r["lead"],
            co=list(r["co"]),
            basis=r["basis"],
            source=r["source"],
        )
        for r in RULES
    )
    for code, c in DEFAULT_CLASSES.items():
        DeadlineClass.objects.create(
            code=code,
            sign_amount=c.sign.amount,
            sign_unit=c.sign.unit,
            contact_amount=c.contact.amount,
            contact_unit=c.contact.unit,
            feedback_amount=c.feedback.amount,
            feedback_unit=c.feedback.unit,
        )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
