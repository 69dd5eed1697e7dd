"""Dutch and English side by side: each member is answered in their own Discord language, public posts speak the
server's language (its setting, or else its locale on Discord), and the setting survives a restart."""

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community
from tests.test_ideas_e2e import field, post, submit, vote


async def test_a_dutch_member_is_answered_in_dutch_beside_an_english_one(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    c.alice.locale = "nl"
    async with start_bot():
        opened = await c.discord.slash(c.alice, "idea submit")
        assert opened.modal["title"] == "Stel een idee voor"
        assert [row["components"][0]["label"] for row in opened.modal["components"]] == ["Titel", "Beschrijving"]
        posted = await c.discord.submit_modal(c.alice, opened, {"title": "Muntwax", "description": "Fris"})
        assert (await posted.ephemeral_text()).startswith("Je idee #1 is gepost: <#")
        message = c.discord.message(int((await posted.ephemeral_text()).split("<#")[1].split(">")[0]))
        assert field(message, "Status") == "New", "the server speaks English: its public post does too"

        assert "Je stemde vóór ▲ op #1 Muntwax." in await (await vote(c, c.alice, message, "up")).ephemeral_text()
        assert "You voted up ▲ on #1 Muntwax." in await (await vote(c, c.bob, message, "up")).ephemeral_text()

        refused = await (await c.discord.slash(c.alice, "setup set", timezone="UTC")).ephemeral_text()
        assert refused == "Alleen leden met de machtiging Server beheren kunnen dit doen."
        missing = await (await c.discord.slash(c.alice, "poll close", poll=99)).ephemeral_text()
        assert missing == "Er is geen peiling #99 in deze server."
        blank = await (await submit(c, c.alice, "   ")).ephemeral_text()
        assert blank == "titel: mag niet leeg zijn\nJe tekst is bewaard."

        shown = await (await c.discord.slash(c.alice, "help")).reply()
        text = message_text(shown)
        assert "`/idee indienen`: Stel de community een idee voor" in text and "Wat je hier kunt doen" in text


async def test_a_dutch_server_posts_in_dutch_until_its_language_is_set(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    c.guild.locale = "nl"  # the server's own language on Discord
    async with start_bot() as bot:
        message = await post(c, c.bob, "Beard oil")
        assert (field(message, "Status"), field(message, "Auteur")) == ("Nieuw", f"<@{c.bob.id}>")
        assert "You voted up" in await (await vote(c, c.bob, message, "up")).ephemeral_text(), "Bob speaks English"

        saved = await (await c.discord.slash(c.owner, "setup set", language="en")).ephemeral_text()
        assert saved.startswith("Settings saved.")
        await vote(c, c.alice, message, "up")
        await bot.delivery.drain()
        assert field(c.discord.message(int(message["id"])), "Status") == "New"
    async with start_bot() as bot:
        again = await post(c, c.bob, "Moustache comb")
        assert field(again, "Status") == "New", "the setting survives a restart"
        assert (await bot.services.setup.get(c.guild.id)).language == "en"
