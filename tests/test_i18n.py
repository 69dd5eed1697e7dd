"""The catalogs: no message and no command string exists in one language only, and every translation keeps the
placeholders its message fills in."""

import re

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.core import CoCreateBot
from bot.i18n import command_strings
from services.i18n import _, catalog_path, command_text, language_of, speaking
from tests.conftest import Community
from tools.catalog import code_messages

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def dutch() -> Catalog:
    with catalog_path("nl").open("rb") as po:
        return read_po(po, locale="nl")


def translated(message: Message | None) -> bool:
    strings = message.string if message and message.pluralizable else [message.string if message else ""]
    return message is not None and not message.fuzzy and all(strings)


def in_code() -> Catalog:
    catalog = Catalog()
    code_messages(catalog)
    return catalog


def test_every_message_in_the_code_has_a_dutch_translation() -> None:
    catalog = dutch()
    lacking = [m.id for m in in_code() if m.id and not translated(catalog.get(m.id))]
    assert not lacking, f"messages without a Dutch translation (run `python -m tools.catalog`): {lacking}"


async def test_every_command_name_description_and_choice_has_a_dutch_translation(bot: CoCreateBot) -> None:
    catalog = dutch()
    strings = await command_strings(bot.tree)
    assert len(strings) > 150, "the whole tree is collected"
    lacking = [(where, text) for where, text in strings if not translated(catalog.get(text, context=where))]
    assert not lacking, f"command strings without a Dutch translation: {lacking}"


async def test_the_catalog_holds_nothing_the_code_no_longer_has(bot: CoCreateBot) -> None:
    known = {(m.id if isinstance(m.id, str) else m.id[0], None) for m in in_code() if m.id}
    known |= {(text, where) for where, text in await command_strings(bot.tree)}
    stale = [m.id for m in dutch() if m.id and ((m.id if isinstance(m.id, str) else m.id[0]), m.context) not in known]
    assert not stale, f"translations of messages the code no longer has: {stale}"


def test_translations_fill_in_the_same_placeholders() -> None:
    for message in dutch():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, (message.id, string)


def test_dutch_plurals_and_the_fallback_to_english() -> None:
    with speaking("nl"):
        assert _("Poll #{poll} is live.", poll=3) == "Peiling #3 staat online."
        assert _("A message no catalog knows") == "A message no catalog knows"
    assert _("Poll #{poll} is live.", poll=3) == "Poll #3 is live."
    assert [language_of(locale) for locale in ("nl", "en-US", "en-GB", "de", None)] == ["nl", "en", "en", "en", "en"]
    assert command_text("answer", "nl", "command_name") == "beantwoorden"
    assert command_text("answer", "nl", "parameter_name") == "antwoord"


async def test_commands_are_synced_with_their_dutch_names_and_descriptions(
    bot: CoCreateBot, community: Community
) -> None:
    synced = {c["name"]: c for c in community.discord.commands[None]}
    idea = synced["idea"]
    assert idea["name_localizations"] == {"nl": "idee"}
    assert idea["description_localizations"] == {"nl": "Stel ideeën voor, stem erop en volg ze"}
    submit = next(o for o in idea["options"] if o["name"] == "submit")
    assert submit["name_localizations"] == {"nl": "indienen"}
    status = next(o for o in idea["options"] if o["name"] == "status")
    choices = next(o for o in status["options"] if o["name"] == "status")["choices"]
    assert {"name": "planned", "value": "planned", "name_localizations": {"nl": "gepland"}} in choices
    assert synced["help"]["name_localizations"] == {"nl": "hulp"}
