"""The label catalogue: both languages complete, every catalogue metric named."""

from __future__ import annotations

import pytest

from pipeline.core.kpi import METRIC_KEYS
from pipeline.i18n import LANGUAGES, UnknownLanguage, default_language, label, messages


def test_languages_have_the_same_keys() -> None:
    assert set(messages("en")) == set(messages("zh-CN"))


def test_every_catalogue_metric_has_a_label_in_each_language() -> None:
    for lang in LANGUAGES:
        missing = [key for key in METRIC_KEYS if f"kpi.{key}" not in messages(lang)]
        assert missing == [], lang


def test_labels_and_fallbacks() -> None:
    assert label("kpi.service_level", "zh-CN") == "服务水平"
    assert label("kpi.service_level", "en") == "Service level"
    assert label("no.such.key", "zh-CN") == "no.such.key"


def test_default_language_follows_the_zone() -> None:
    assert default_language("Asia/Shanghai") == "zh-CN"
    assert default_language("Europe/London") == "en"


def test_unknown_language_names_the_choices() -> None:
    with pytest.raises(UnknownLanguage, match="zh-CN, en"):
        messages("fr")
