"""Cancelling an event (who, when, why, its history) and the refunds it leaves owed;
the secretariat gets the permissions of the new tables."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

from isoc.members.seed import seed as seed_roles


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0002_staff_roles'),
        ('members', '0005_staff_runs_pulse'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='cancellation_reason',
            field=models.CharField(blank=True, editable=False, max_length=300, verbose_name='reason for cancelling'),
        ),
        migrations.AddField(
            model_name='event',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by'),
        ),
        migrations.AlterField(
            model_name='event',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='cancelled at'),
        ),
        migrations.CreateModel(
            name='EventChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('from_status', models.CharField(max_length=20)),
                ('to_status', models.CharField(max_length=20)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history', to='events.event', verbose_name='event')),
            ],
            options={
                'verbose_name': 'event change',
                'verbose_name_plural': 'event changes',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='EventRefund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='amount')),
                ('currency', models.CharField(choices=[('USD', 'US Dollar'), ('EUR', 'Euro'), ('CHF', 'Swiss Franc'), ('GBP', 'Pound Sterling'), ('CAD', 'Canadian Dollar'), ('AUD', 'Australian Dollar'), ('JPY', 'Yen'), ('INR', 'Indian Rupee'), ('BRL', 'Brazilian Real'), ('ZAR', 'Rand'), ('KES', 'Kenyan Shilling'), ('SGD', 'Singapore Dollar')], max_length=3, verbose_name='currency')),
                ('due_since', models.DateTimeField(verbose_name='due since')),
                ('refunded_at', models.DateTimeField(blank=True, null=True, verbose_name='refunded at')),
                ('reference', models.CharField(blank=True, max_length=200, verbose_name='transfer reference')),
                ('invoice', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='event_refunds', to='members.invoice', verbose_name='invoice')),
                ('refunded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='refunded by')),
                ('registration', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='refund', to='events.registration', verbose_name='registration')),
            ],
            options={
                'verbose_name': 'event refund',
                'verbose_name_plural': 'event refunds',
                'ordering': ['due_since', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='event_refund_positive')],
            },
        ),
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
    ]
