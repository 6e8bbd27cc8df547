"""Ship the 2022 rules and the 2025 reform as rows (a later reform is a new migration or staff edit)."""

from django.db import migrations


def seed(apps, schema_editor):
    from passculture.credit.rules import RULES_2022_2025

    GrantRule = apps.get_model("credit", "GrantRule")
    for grant in RULES_2022_2025:
        GrantRule.objects.get_or_create(
            rule_set=grant.rule_set,
            age=grant.age,
            valid_from=grant.valid_from,
            defaults={
                "valid_until": grant.valid_until,
                "amount": grant.amount,
                "deposit_kind": grant.deposit_kind,
                "expires_at_age": grant.expires_at_age,
                "validity_months": grant.validity_months,
                "digital_cap": grant.digital_cap,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
