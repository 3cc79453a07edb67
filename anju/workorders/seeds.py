"""Seed rows of the work-order module: the category tree, the responsibility matrix and the
deadline classes. Used by the data migration (with historical models) and by the tests to put
the rows back after a test that empties the database."""


def seed_matrix(category_model, rule_model, deadline_class_model) -> bool:
    """Add the default tree, matrix and classes unless categories exist; True if added."""
    from anju.workorders.deadlines import DEFAULT_CLASSES
    from anju.workorders.matrix_data import CATEGORIES, RULES

    if category_model.objects.exists():
        return False
    by_code = {}
    for c in CATEGORIES:  # parents come before their children
        by_code[c["code"]] = category_model.objects.create(
            code=c["code"],
            parent=by_code.get(c["parent"]) if c["parent"] else None,
            name=c["name"],
            deadline_class=c["deadline_class"],
            kind=c["kind"],
        )
    rule_model.objects.bulk_create(
        rule_model(
            category=by_code[r["category"]],
            estate_kind=r["estate_kind"] or "",
            lead=r["lead"],
            co=list(r["co"]),
            basis=r["basis"],
            source=r["source"],
        )
        for r in RULES
    )
    if not deadline_class_model.objects.exists():
        deadline_class_model.objects.bulk_create(
            deadline_class_model(
                code=code,
                sign_amount=c.sign.amount,
                sign_unit=c.sign.unit,
                contact_amount=c.contact.amount,
                contact_unit=c.contact.unit,
                feedback_amount=c.feedback.amount,
                feedback_unit=c.feedback.unit,
            )
            for code, c in DEFAULT_CLASSES.items()
        )
    return True
