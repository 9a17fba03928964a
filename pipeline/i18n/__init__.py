"""Labels in the languages the centres read (zh-CN and en), from one catalogue file per language.

The report table, the wallboard web app and the payroll workbook all take
their labels from here, so a metric has the same name on every screen and in
every file.  Keys are flat and namespaced: ``kpi.<catalogue key>`` for the
metric catalogue (docs/design.md section 3), ``report.*``, ``web.*``, ``payroll.*``
for each surface's own words.  A key missing in one language falls back to
English, then to the key itself, so a new label never breaks a page.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Final
from zoneinfo import ZoneInfo

LANGUAGES: Final = ("zh-CN", "en")
DEFAULT_FALLBACK: Final = "en"
# zones whose centres read Chinese by default (mainland China)
_CHINESE_ZONES: Final = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin",
                                   "Asia/Urumqi", "Asia/Kashgar", "PRC"})


class UnknownLanguage(ValueError):
    """A language with no catalogue; the message lists the ones there are."""


@cache
def messages(lang: str) -> dict[str, str]:
    """The catalogue of ``lang`` (``zh-CN`` or ``en``) as key -> label."""
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    text = resources.files(__package__).joinpath("messages", f"{lang}.json").read_text(encoding="utf-8")
    loaded: dict[str, str] = json.loads(text)
    return loaded


def label(key: str, lang: str) -> str:
    """The label of ``key`` in ``lang``, else in English, else the key itself."""
    return messages(lang).get(key) or messages(DEFAULT_FALLBACK).get(key) or key


def default_language(zone: ZoneInfo | str) -> str:
    """zh-CN for a centre whose zone is in mainland China, en elsewhere."""
    return "zh-CN" if str(zone) in _CHINESE_ZONES else "en"
