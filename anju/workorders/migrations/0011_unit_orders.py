"""A unit's orders: the active lead unit copied onto the order (WorkOrder.lead_*) and the
order's state copied onto its assignments (Assignment.order_state), both filled for the
existing orders, with the indexes of a unit's lists and inbox (anju.workorders.access)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def fill(apps, schema_editor):
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    Assignment = apps.get_model("workorders", "Assignment")
    if schema_editor.connection.vendor == "postgresql":
        orders, assignments = WorkOrder._meta.db_table, Assignment._meta.db_table
        schema_editor.execute(
            f"UPDATE {orders} AS o SET lead_region_id = a.region_id, "
            "lead_department_id = a.department_id, lead_company_id = a.company_id "
            f"FROM {assignments} AS a WHERE a.order_id = o.id AND a.role = 'lead' AND a.active"
        )
        schema_editor.execute(
            f"UPDATE {assignments} AS a SET order_state = o.state "
            f"FROM {orders} AS o WHERE o.id = a.order_id"
        )
        return
    leads = Assignment.objects.filter(order=OuterRef("pk"), role="lead", active=True)
    WorkOrder.objects.filter(Exists(leads)).update(
        lead_region=Subquery(leads.values("region")[:1]),
        lead_department=Subquery(leads.values("department")[:1]),
        lead_company=Subquery(leads.values("company")[:1]),
    )
    state = WorkOrder.objects.filter(pk=OuterRef("order_id")).values("state")[:1]
    Assignment.objects.update(order_state=Subquery(state))


class Migration(migrations.Migration):

    dependencies = [
        ('companies', '0001_initial'),
        ('regions', '0001_initial'),
        ('workorders', '0010_metric_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='workorder',
            name='lead_company',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='companies.propertycompany'),
        ),
        migrations.AddField(
            model_name='workorder',
            name='lead_department',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.department'),
        ),
        migrations.AddField(
            model_name='workorder',
            name='lead_region',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='order_state',
            field=models.CharField(blank=True, default='', editable=False, max_length=24),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='assignment',
            name='company',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='companies.propertycompany'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='department',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.department'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='region',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['company', 'order_state', 'active', 'role', 'order'], name='assignment_company_orders'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['department', 'order_state', 'active', 'role', 'order'], name='assignment_department_orders'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['region', 'order_state', 'active', 'role', 'order'], name='assignment_region_orders'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('active', True), ('role', 'lead'), _negated=True), fields=['company', 'order'], name='assignment_company_other'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('active', True), ('role', 'lead'), _negated=True), fields=['department', 'order'], name='assignment_department_other'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('active', True), ('role', 'lead'), _negated=True), fields=['region', 'order'], name='assignment_region_other'),
        ),
        migrations.AddIndex(
            model_name='workorder',
            index=models.Index(fields=['lead_company', 'state', 'created_at'], name='order_lead_company'),
        ),
        migrations.AddIndex(
            model_name='workorder',
            index=models.Index(fields=['lead_department', 'state', 'created_at'], name='order_lead_department'),
        ),
        migrations.AddIndex(
            model_name='workorder',
            index=models.Index(fields=['lead_region', 'state', 'created_at'], name='order_lead_region'),
        ),
    ]
