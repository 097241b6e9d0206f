"""Keyed moves per past local day too (funnel/metrics/keyed_sql.py DAY): the days of
partial months (the last 30 days) read from summaries, not live. The tables start empty;
the next refresh builds every past day (keyed_refresh), and until then those days are
read live as before."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('funnel', '0013_keyed_note_statement_trigger'),
    ]

    operations = [
        migrations.CreateModel(
            name='KeyedDay',
            fields=[
                ('day', models.DateField(primary_key=True, serialize=False)),
                ('built_at', models.DateTimeField()),
            ],
            options={
                'db_table': 'funnel_keyed_day',
            },
        ),
        migrations.CreateModel(
            name='KeyedDayFlow',
            fields=[
                ('pk', models.CompositePrimaryKey('day', 'dim', 'key', 'to_code', blank=True, editable=False, primary_key=True, serialize=False)),
                ('day', models.DateField()),
                ('dim', models.SmallIntegerField()),
                ('key', models.BigIntegerField()),
                ('to_code', models.SmallIntegerField()),
                ('moves', models.IntegerField()),
            ],
            options={
                'db_table': 'funnel_keyed_day_flow',
                'indexes': [models.Index(fields=['dim', 'key', 'day'], name='keyed_day_flow_key')],
            },
        ),
        migrations.CreateModel(
            name='KeyedDayStageTime',
            fields=[
                ('pk', models.CompositePrimaryKey('day', 'dim', 'key', 'from_code', 'bucket', blank=True, editable=False, primary_key=True, serialize=False)),
                ('day', models.DateField()),
                ('dim', models.SmallIntegerField()),
                ('key', models.BigIntegerField()),
                ('from_code', models.SmallIntegerField()),
                ('bucket', models.SmallIntegerField()),
                ('moves', models.IntegerField()),
                ('durations', models.BinaryField()),
            ],
            options={
                'db_table': 'funnel_keyed_day_stage_time',
                'indexes': [models.Index(fields=['dim', 'key', 'day'], name='keyed_day_stage_time_key')],
            },
        ),
    ]
