"""Words of the contract defined in one place: the models' Literal types are the vocabulary's
tuples, every setting of the schema maps to a field of the Settings model, and the default the
template shows for a setting is the one the program bills with."""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

from msp_workbook.core import models, vocabulary
from msp_workbook.workbook import schema
from msp_workbook.workbook.validation.settings import SETTING_FIELDS


def test_the_models_literals_are_the_vocabulary():
    assert get_args(models.Status) == vocabulary.STATUSES
    assert get_args(models.LineType) == vocabulary.LINE_TYPES
    assert get_args(models.MissingUsage) == vocabulary.MISSING_USAGE
    assert schema.STATUSES is vocabulary.STATUSES
    assert schema.LINE_TYPES is vocabulary.LINE_TYPES


def test_every_setting_is_a_field_of_the_settings_model():
    names = [spec.name for spec in schema.SETTINGS_SPEC]
    assert sorted(SETTING_FIELDS) == sorted(names)
    fields = set(models.Settings.model_fields)
    assert set(SETTING_FIELDS.values()) <= fields
    assert fields - set(SETTING_FIELDS.values()) == {"cells"}


def test_the_default_the_template_shows_is_the_one_billed_with():
    defaults = models.Settings()
    for spec in schema.SETTINGS_SPEC:
        value = getattr(defaults, SETTING_FIELDS[spec.name])
        if spec.default is None:
            assert value in ("", None), spec.name
        elif isinstance(value, Decimal):
            assert value == Decimal(str(spec.default)), spec.name
        else:
            assert value == spec.default, spec.name
