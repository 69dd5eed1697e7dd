"""Forms (modals) that survive a restart.

discord.py keeps an open modal in memory, keyed by its custom_id alone: after a restart the member's text is
lost, and two members with the same form open share one object. Here a form's custom_id carries everything its
submission needs, the modal object is never kept, and the bot routes each submission by custom_id to its form
class, which reads the submitted values from the interaction itself.
"""

import re
from collections.abc import Iterator
from typing import Any, ClassVar

import discord

from bot.errors import report_error
from services.i18n import language_of, use_language


class Form(discord.ui.Modal):
    """A modal handled by `submitted`, a class method that needs only the custom_id's match and the values."""

    template: ClassVar[re.Pattern[str]]

    async def open(self, interaction: discord.Interaction) -> None:
        """Show the form without keeping it in memory: its submission is routed by custom_id."""
        self.stop()  # a finished modal is not stored by discord.py
        await interaction.response.send_modal(self)

    @classmethod
    async def submitted(cls, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]) -> None:
        raise NotImplementedError


def submitted_values(data: Any) -> dict[str, str]:
    """custom_id -> value of every text input in a modal submission (in action rows or labels)."""
    return {c["custom_id"]: c.get("value", "") for c in _inputs(data.get("components", []))}


def _inputs(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for component in components:
        if "value" in component and "custom_id" in component:
            yield component
        yield from _inputs(component.get("components", []))
        if isinstance(component.get("component"), dict):
            yield from _inputs([component["component"]])


class FormRouter:
    """The forms the loaded features offer; `dispatch` answers a modal submission with the one it matches."""

    def __init__(self) -> None:
        self._forms: list[type[Form]] = []

    def add(self, *forms: type[Form]) -> None:
        self._forms.extend(forms)

    def remove(self, *forms: type[Form]) -> None:
        self._forms = [f for f in self._forms if f not in forms]

    async def dispatch(self, interaction: discord.Interaction) -> None:
        if interaction.type != discord.InteractionType.modal_submit or not isinstance(interaction.data, dict):
            return
        custom_id = str(interaction.data.get("custom_id", ""))
        use_language(language_of(interaction.locale))
        for form in self._forms:
            if match := form.template.fullmatch(custom_id):
                try:
                    await form.submitted(interaction, match, submitted_values(interaction.data))
                except Exception as error:
                    await report_error(interaction, error)
                return
