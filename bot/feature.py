"""The shape every feature cog shares: a slash-command group that registers its restart-proof components and
rebuilds its scheduled jobs on load, and removes both on unload, so reloading a cog leaves nothing behind."""

from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord.ext import commands

if TYPE_CHECKING:
    from bot.core import CoCreateBot
    from bot.delivery import Handler
    from bot.forms import Form


class FeatureCog(commands.GroupCog):
    dynamic_items: ClassVar[tuple[type[discord.ui.DynamicItem[Any]], ...]] = ()
    forms: ClassVar[tuple[type["Form"], ...]] = ()  # restart-proof modals, routed by custom_id
    job_prefix: ClassVar[str | None] = None  # the namespace of this feature's scheduler jobs

    def __init__(self, bot: "CoCreateBot") -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*self.dynamic_items)
        self.bot.forms.add(*self.forms)
        for kind, handler in self.delivery_handlers().items():
            self.bot.delivery.register(kind, handler)
        await self.rebuild_jobs()

    def delivery_handlers(self) -> dict[str, "Handler"]:
        """The delivery kinds this feature performs on Discord (see bot/delivery.py), by name."""
        return {}

    async def rebuild_jobs(self) -> None:
        """Schedule this feature's jobs from the database (the source of truth)."""

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*self.dynamic_items)
        self.bot.forms.remove(*self.forms)
        for kind in self.delivery_handlers():
            self.bot.delivery.unregister(kind)
        if self.job_prefix:
            self.bot.scheduler.cancel_prefix(self.job_prefix)
