# Marker events (界桩事项): a change of a boundary marker held until both sides approve it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("boundaries", "0005_proposals")]

    operations = [
        migrations.CreateModel(
            name='MarkerEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1)),
                ('number', models.CharField(help_text='e.g. JZ-2026-0001', max_length=20, unique=True)),
                ('kind', models.CharField(choices=[('set', '埋设 set'), ('move', '迁移 move'), ('status', '状况 damaged, lost, displaced or repaired'), ('replace', '更换 replace'), ('edit', '修改 edit'), ('abolish', '废止 abolish')], max_length=8)),
                ('change', models.JSONField(help_text="The arguments of the registry's step (boundaries.services.markers_registry), as JSON: positions as GeoJSON Points, days as YYYY-MM-DD.")),
                ('base_version', models.PositiveIntegerField(blank=True, help_text="The marker's version the event was drawn on (empty for a new marker).", null=True)),
                ('reason', models.TextField()),
                ('status', models.CharField(choices=[('pending', '待批 awaiting the parties'), ('applied', '已生效 applied'), ('rejected', '不同意 rejected'), ('withdrawn', '撤回 withdrawn')], default='pending', max_length=10)),
                ('needs_bureau', models.BooleanField(help_text="Whether the bureau's approver is a party (marker_events.needs_bureau).")),
                ('proposed_at', models.DateTimeField(auto_now_add=True)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note', models.TextField(blank=True, help_text='Why it was rejected or withdrawn.')),
                ('counties', models.ManyToManyField(help_text='The county-level parties, fixed when proposed (boundaries.services.agreement).', related_name='+', to='boundaries.adminunit')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='marker_events', to='boundaries.boundaryline')),
                ('marker', models.ForeignKey(blank=True, help_text='Empty for a marker to be set, until the event is applied.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='boundaries.boundarymarker')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-proposed_at'],
            },
        ),
        migrations.CreateModel(
            name='MarkerEventApproval',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('party', models.CharField(choices=[('county', '县级行政区 a county-level party'), ('bureau', "市民政局 the bureau's approver"), ('outside', '系统外的一方 a party outside the system')], max_length=8)),
                ('approved_at', models.DateTimeField(auto_now_add=True)),
                ('signed_by', models.CharField(blank=True, help_text="The outside party's signatory", max_length=200)),
                ('signed_on', models.DateField(blank=True, null=True)),
                ('document', models.CharField(blank=True, help_text="The outside party's signed document", max_length=200)),
                ('approved_by', models.ForeignKey(help_text='Who approved or recorded it', on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='approvals', to='boundaries.markerevent')),
                ('outside', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='boundaries.contextarea')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='boundaries.adminunit')),
            ],
            options={
                'ordering': ['event', 'approved_at'],
            },
        ),
        migrations.AddConstraint(
            model_name='markerevent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('base_version__isnull', True), ('kind', 'set')), models.Q(('base_version__isnull', False), ('marker__isnull', False)), _connector='OR'), name='markerevent_names_its_marker'),
        ),
        migrations.AddConstraint(
            model_name='markereventapproval',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('outside__isnull', True), ('party', 'county'), ('unit__isnull', False)), models.Q(('outside__isnull', True), ('party', 'bureau'), ('unit__isnull', True)), models.Q(('outside__isnull', False), ('party', 'outside'), ('unit__isnull', True), models.Q(('signed_by', ''), _negated=True), models.Q(('document', ''), _negated=True), ('signed_on__isnull', False)), _connector='OR'), name='markereventapproval_names_its_party'),
        ),
        migrations.AddConstraint(
            model_name='markereventapproval',
            constraint=models.UniqueConstraint(fields=('event', 'party', 'unit', 'outside'), name='markereventapproval_once_per_party', nulls_distinct=False),
        ),
    ]
