"""Daily metric rollups (anju.workorders.rollups); `manage.py metrics_rollup` backfills them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('companies', '0001_initial'),
        ('estates', '0005_owner_name_index'),
        ('regions', '0001_initial'),
        ('workorders', '0011_unit_orders'),
    ]

    operations = [
        migrations.CreateModel(
            name='MetricDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True, verbose_name='day')),
                ('computed_at', models.DateTimeField(blank=True, null=True)),
                ('stale', models.BooleanField(default=True)),
                ('settles_at', models.DateTimeField(blank=True, null=True)),
                ('first', models.BooleanField(default=False)),
            ],
            options={
                'verbose_name': 'metric day',
                'verbose_name_plural': 'metric days',
                'ordering': ['day'],
            },
        ),
        migrations.CreateModel(
            name='MetricDaily',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('region_code', models.CharField(max_length=12, verbose_name='region code')),
                ('estate', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='estates.estate')),
                ('company', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='companies.propertycompany')),
                ('department', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.department')),
                ('created', models.PositiveIntegerField(default=0)),
                ('complaints', models.PositiveIntegerField(default=0)),
                ('rejected', models.PositiveIntegerField(default=0)),
                ('merged', models.PositiveIntegerField(default=0)),
                ('closed', models.PositiveIntegerField(default=0)),
                ('reworked', models.PositiveIntegerField(default=0)),
                ('dispatched', models.PositiveIntegerField(default=0)),
                ('signed_on_time', models.PositiveIntegerField(default=0)),
                ('sign_counted', models.PositiveIntegerField(default=0)),
                ('contacted_on_time', models.PositiveIntegerField(default=0)),
                ('contact_counted', models.PositiveIntegerField(default=0)),
                ('returns', models.PositiveIntegerField(default=0)),
                ('due', models.PositiveIntegerField(default=0)),
                ('on_time', models.PositiveIntegerField(default=0)),
                ('overdue', models.PositiveIntegerField(default=0)),
                ('visits_solved', models.PositiveIntegerField(default=0)),
                ('visits_with_answer', models.PositiveIntegerField(default=0)),
                ('satisfied', models.PositiveIntegerField(default=0)),
                ('basic', models.PositiveIntegerField(default=0)),
                ('unsatisfied', models.PositiveIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'daily metric counts',
                'verbose_name_plural': 'daily metric counts',
                'ordering': ['day', 'region_code'],
                'indexes': [models.Index(fields=['day', 'region_code'], name='metric_daily_day_region')],
            },
        ),
    ]
