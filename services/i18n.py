"""Messages in the reader's language, from gettext catalogs.

The English text is the message id; each other language has a standard `.po` catalog under `services/locales`
(edited with any PO editor, kept in step with the code by `python -m tools.catalog`). Babel reads the catalogs.

The language is chosen once per piece of work, as Red-DiscordBot does: an interaction speaks the member's
Discord language, a public post the server's language. `speaking` sets it for the current task, and `_` and `n_`
translate into it, so the rules and renderers need no language parameter.
"""

import functools
import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = {"en": "English", "nl": "Nederlands"}
DEFAULT = "en"
CATALOGS = Path(__file__).with_name("locales")
DOMAIN = "cocreate"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT)


def catalog_path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of `language` (English needs none: its messages are the ids)."""
    path = catalog_path(language)
    if language == DEFAULT or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # untranslated and fuzzy entries fall back to English
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def language_of(locale: object) -> str:
    """The language we speak for a Discord locale ("nl", "en-US", "en-GB", "de", ...)."""
    code = str(locale or "").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT


def current_language() -> str:
    return _language.get()


def use_language(language: str) -> None:
    """Speak `language` for the rest of the current task (an interaction's)."""
    _language.set(language)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak `language` inside the block (a post rendered for a server)."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str, /, **params: object) -> str:
    """`message` in the current language, with its `{placeholders}` filled in."""
    text = translations(_language.get()).gettext(message)
    return text.format(**params) if params else text


def n_(singular: str, plural: str, count: int, /, **params: object) -> str:
    """The form of a message that fits `count` in the current language; `{count}` is filled in too."""
    return translations(_language.get()).ngettext(singular, plural, count).format(count=count, **params)


def N_(message: str) -> str:
    """Mark a message for the catalog where it is defined; it is translated with `_` where it is shown."""
    return message


def command_text(text: str, language: str, where: str) -> str | None:
    """A command name, description or choice in `language`, or None where it has no translation. `where` is the
    gettext context: the kind of string ("command_name", "parameter_name", "choice_name", ...), since one English
    word can need two translations ("answer" the command, "answer" the option)."""
    translated = translations(language).pgettext(where, text)
    return translated if translated != text else None
