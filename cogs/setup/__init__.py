"""`/setup set`, `/setup show` and `/setup check`: where the bot posts, who its staff and moderators are, and
whether the bot may do its work everywhere it is asked to."""

import io
import logging
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import CoCreateBot
from bot.feature import FeatureCog
from bot.needs import IN_SERVER, POSTING, THREADS, missing
from bot.permissions import only
from bot.text import fit_lines, member_name
from cogs.setup.embeds import settings_embed
from cogs.setup.walkthrough import SetupPick, menus_text, menus_view
from services.audit import action_name
from services.guild_setup import GuildSetupService, SetupChange
from services.i18n import LANGUAGES, _, language_of, speaking
from services.permissions import ADMIN, MODERATOR
from storage.models import AuditEntry, Challenge, GuildSettings

log = logging.getLogger(__name__)
TIMEZONES = sorted(available_timezones())


# No `default_permissions` on the group: Discord applies it to every subcommand, and moderators (who may not
# have Manage Server) must reach `/setup show`. Each subcommand checks its own rule on the server instead.
@app_commands.guild_only()
class Setup(FeatureCog, group_name="setup", group_description="Configure the co-creation bot"):
    dynamic_items = (SetupPick,)

    def __init__(self, bot: CoCreateBot) -> None:
        super().__init__(bot)
        self.service: GuildSetupService = bot.services.setup

    @app_commands.command(name="start", description="Set up the bot step by step with menus")
    @only(ADMIN)
    async def start(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        settings = await self.service.get(interaction.guild_id)
        await interaction.response.send_message(
            menus_text(), embed=settings_embed(settings), view=menus_view(settings), ephemeral=True
        )

    @app_commands.command(
        name="set", description="Channels, roles, time zone, language and fair voting; only what you pass changes"
    )
    @app_commands.describe(
        ideas_channel="Where ideas are posted (a forum or text channel)",
        announcements_channel="Where results and winners are announced",
        staff_role="Brand staff: answer ideas, host AMAs",
        moderator_role="Moderators: schedule challenges and polls, moderate",
        timezone="Time zone for schedules, e.g. Europe/Amsterdam",
        language="The language of public posts (each member's replies follow their own Discord language)",
        roadmap_channel="Where the public roadmap is kept up to date (planned, in progress, shipped)",
        vote_account_days="Fair voting: how many days old an account must be to vote (0: no minimum)",
        vote_member_days="Fair voting: how many days a member must have been in the server to vote (0: no minimum)",
    )
    @app_commands.choices(language=[app_commands.Choice(name=name, value=code) for code, name in LANGUAGES.items()])
    @only(ADMIN)
    async def set_settings(
        self,
        interaction: discord.Interaction,
        ideas_channel: discord.TextChannel | discord.ForumChannel | None = None,
        announcements_channel: discord.TextChannel | None = None,
        staff_role: discord.Role | None = None,
        moderator_role: discord.Role | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        language: str | None = None,
        roadmap_channel: discord.TextChannel | None = None,
        vote_account_days: app_commands.Range[int, 0, 365] | None = None,
        vote_member_days: app_commands.Range[int, 0, 365] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        change = SetupChange(
            min_account_days=vote_account_days,
            min_member_days=vote_member_days,
            roadmap_channel_id=roadmap_channel and roadmap_channel.id,
            language=language,  # type: ignore[arg-type]  # one of the choices
            ideas_channel_id=ideas_channel and ideas_channel.id,
            announcements_channel_id=announcements_channel and announcements_channel.id,
            staff_role_id=staff_role and staff_role.id,
            moderator_role_id=moderator_role and moderator_role.id,
            timezone=timezone,
        )
        settings = await self.service.update(interaction.guild_id, change, by=interaction.user.id)
        await interaction.client.delivery.resume(interaction.guild_id)  # type: ignore[attr-defined]
        await interaction.response.send_message(_("Settings saved."), embed=settings_embed(settings), ephemeral=True)

    @set_settings.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.lower()
        return [app_commands.Choice(name=tz, value=tz) for tz in TIMEZONES if needle in tz.lower()][:25]

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A welcome with the first steps, in the system channel or else the first channel the bot may post in."""
        channel = next((c for c in [guild.system_channel, *guild.text_channels] if c and can_post(c)), None)
        if channel is None:
            log.info("joined a server with no channel to welcome it in", extra={"guild_id": guild.id})
            return
        with speaking(language_of(guild.preferred_locale)):  # a new server speaks its own language
            await self.service.welcome(guild.id, channel.id)

    @app_commands.command(name="check", description="Check that the bot may post everywhere it was given")
    @only(MODERATOR)
    async def check(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        bot: CoCreateBot = interaction.client  # type: ignore[assignment]
        settings = await self.service.get(interaction.guild.id)
        challenges = await bot.services.challenges.all(interaction.guild.id)
        report = check_report(interaction.guild, settings, challenges)
        await interaction.response.send_message(report, ephemeral=True)

    @app_commands.command(name="audit", description="What staff and moderators did here, newest first")
    @app_commands.describe(export="Attach the whole log as a CSV file")
    @only(MODERATOR)
    async def audit(self, interaction: discord.Interaction, export: bool = False) -> None:
        assert interaction.guild_id is not None
        audit = self.bot.services.audit
        lines = [audit_line(entry) for entry in await audit.recent(interaction.guild_id)]
        embed = discord.Embed(
            title=_("Audit log"),
            description=fit_lines(lines, 4096) or _("Nothing yet."),
            colour=discord.Colour.dark_grey(),
        )
        file = discord.utils.MISSING
        if export:
            data = (await audit.export_csv(interaction.guild_id)).encode()
            file = discord.File(io.BytesIO(data), filename="audit-log.csv")
        await interaction.response.send_message(embed=embed, file=file, ephemeral=True)

    @app_commands.command(name="show", description="Show this server's co-creation settings")
    @only(MODERATOR)
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        settings = await self.service.get(interaction.guild_id)
        await interaction.response.send_message(embed=settings_embed(settings), ephemeral=True)


def audit_line(entry: AuditEntry) -> str:
    """One action: when, who, what and to what, and the detail (a reason, the new value)."""
    detail = f": {discord.utils.escape_markdown(entry.detail)[:200]}" if entry.detail else ""
    when = discord.utils.format_dt(entry.at, "f")
    return f"{when} · {member_name(entry.actor_id)} {action_name(entry)} **{entry.subject}**{detail}"


def can_post(channel: discord.TextChannel) -> bool:
    return not missing(channel.permissions_for(channel.guild.me), ("view_channel", "send_messages"))


def place_line(guild: discord.Guild, name: str, channel_id: int | None, needed: tuple[str, ...]) -> str:
    """One line of `/setup check`: the place, and what the bot is missing there."""
    if channel_id is None:
        return f"**{name}**: " + _("not set")
    channel = guild.get_channel(channel_id)
    if channel is None:
        return f"**{name}** <#{channel_id}>: ❌ " + _("not found (deleted?); choose another with `/setup set`")
    lacking = missing(channel.permissions_for(guild.me), needed)
    return f"**{name}** <#{channel_id}>: " + (
        "❌ " + _("missing {permissions}", permissions=", ".join(lacking)) if lacking else "✅"
    )


def check_report(guild: discord.Guild, settings: GuildSettings, challenges: list[Challenge]) -> str:
    """What the bot may and may not do in every channel it was given, and in the server."""
    places = [
        (_("Ideas channel"), settings.ideas_channel_id, POSTING + THREADS),
        (_("Announcements channel"), settings.announcements_channel_id, POSTING),
        *([(_("Roadmap channel"), settings.roadmap_channel_id, POSTING)] if settings.roadmap_channel_id else []),
        *((_("Challenge “{name}”", name=c.name), c.channel_id, POSTING) for c in challenges),
    ]
    lines = [place_line(guild, name, channel_id, needed) for name, channel_id, needed in places]
    lacking = missing(guild.me.guild_permissions, IN_SERVER)
    server = "❌ " + _("missing {permissions} (for AMAs as Discord events)", permissions=", ".join(lacking))
    lines.append("**" + _("Server") + "**: " + (server if lacking else "✅"))
    if any("❌" in line for line in lines):
        lines.append(
            "\n"
            + _(
                "Give the bot what is marked ❌ (Edit Channel → Permissions, or Server Settings → Roles), "
                "then run `/setup check` again."
            )
        )
    else:
        lines.append("\n" + _("The bot may do its work everywhere it was given."))
    return "\n".join(lines)


async def setup(bot: CoCreateBot) -> None:
    await bot.add_cog(Setup(bot))
