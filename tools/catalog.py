"""Keep the translation catalogs in step with the code.

    python -m tools.catalog           # refresh services/locales/cocreate.pot and every language's .po
    python -m tools.catalog --check   # list what is missing a translation; exit 1 if anything is

The template holds every message the code marks with `_`, `n_` or `N_`, and every command name, description and
choice (with its kind as gettext context: `command_name`, `parameter_description`, `choice_name`, ...).
Refreshing a `.po` adds new messages untranslated, keeps the translations of the rest and drops messages the code
no longer has. Translate with any PO editor (Poedit, Weblate) or by hand.
"""

import asyncio
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.core import cog_extensions
from bot.factory import create_bot
from bot.i18n import command_strings
from emulator.harness import sandbox_settings
from services.i18n import CATALOGS, DEFAULT, DOMAIN, LANGUAGES, catalog_path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "cogs", "services")
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2)}
TEMPLATE = CATALOGS / f"{DOMAIN}.pot"
WIDTH = 120


def code_messages(catalog: Catalog) -> None:
    """Every message marked in the code, with where it is."""
    for folder in SOURCES:
        found = extract_from_dir(ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS)
        for filename, line, message, _comments, _context in found:
            catalog.add(message, locations=[(f"{folder}/{filename}", line)], flags=("python-brace-format",))


async def command_messages(catalog: Catalog) -> None:
    """Every name, description and choice of the slash commands, from the loaded cogs."""
    with tempfile.TemporaryDirectory() as folder:
        bot = await create_bot(sandbox_settings(Path(folder) / "catalog.db"))
        try:
            for extension in cog_extensions():
                await bot.load_extension(extension)
            for where, text in sorted(await command_strings(bot.tree)):
                catalog.add(text, context=where)
        finally:
            await bot.storage.close()  # never started: only its database is open


async def template() -> Catalog:
    catalog = Catalog(project="CoCreate", domain=DOMAIN)
    code_messages(catalog)
    await command_messages(catalog)
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    return [str(m.id) for m in catalog if m.id and (m.fuzzy or not all(m.string if m.pluralizable else [m.string]))]


def refresh(pot: Catalog) -> None:
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as out:
        write_po(out, pot, width=WIDTH, omit_header=True)
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        path = catalog_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=language)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN)
        catalog.update(pot, no_fuzzy_matching=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=WIDTH, ignore_obsolete=True, include_previous=False)
        print(f"{path.relative_to(ROOT)}: {len(untranslated(catalog))} of {len(catalog)} untranslated")


def check() -> int:
    missing = 0
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        with catalog_path(language).open("rb") as po:
            lacking = untranslated(read_po(po, locale=language))
        missing += len(lacking)
        for message in lacking:
            print(f"{language}: {message}")
    return 1 if missing else 0


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(check())
    refresh(asyncio.run(template()))
