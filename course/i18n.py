"""The language of what the course prints: English, or French (the lecture's language).

Messages go through gettext: `_("your {name} raised {error}")` returns the text in the current
language, formatted afterwards with `.format(...)` (never an f-string inside `_()`: the
catalog's key is the English text with its placeholders). The catalogs are
`course/locale/<lang>/LC_MESSAGES/course.po` (what translators edit) and `course.mo` (what
gettext reads, compiled by `python -m course build`; `python -m course check` fails when a
message has no translation or the compiled catalog is stale).

The language is `COURSE_LANG` (`en` or `fr`), set by the first cell of each notebook to the
edition's language and overridden by the environment when it is already set.
"""
from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "course"
LANGUAGES = ("en", "fr")


def language() -> str:
    """The current language: COURSE_LANG if it names one the course has, else English."""
    lang = os.environ.get("COURSE_LANG", "en").strip().lower()[:2]
    return lang if lang in LANGUAGES else "en"


@functools.lru_cache(maxsize=None)
def _translations(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE, languages=[lang], fallback=True)


def _(message: str) -> str:
    """`message` in the current language (itself when there is no translation; "" stays "",
    where gettext would give the catalog's header)."""
    return _translations(language()).gettext(message) if message else message


def in_language(lang: str, message: str) -> str:
    """`message` in `lang`, whatever the current language (what a notebook of that edition
    shows, written by `python -m course build`)."""
    return _translations(lang).gettext(message) if message else message


def N_(message: str) -> str:
    """Mark a message for translation without translating it yet (module-level constants:
    they are translated where they are shown, with `_`)."""
    return message
