"""A member's data rights: see everything the bot holds about them, or have it erased."""

import json

from services.amas import refresh as refresh_question
from services.challenges import entry_render
from services.clock import Clock
from services.ideas import refresh as refresh_idea
from storage.base import PrivacyRepository


class PrivacyService:
    def __init__(self, repository: PrivacyRepository, clock: Clock) -> None:
        self._repo = repository
        self._clock = clock

    async def export_json(self, guild_id: int, member_id: int) -> str:
        data = await self._repo.export(guild_id, member_id)
        document = {"guild_id": guild_id, "member_id": member_id, "exported_at": self._clock.now().isoformat(), **data}
        return json.dumps(document, indent=2, ensure_ascii=False)

    async def erase(self, guild_id: int, member_id: int) -> None:
        """Erase the member's data and re-render every public post that named them (through the delivery path)."""
        footprint = await self._repo.footprint(guild_id, member_id)
        renders = [
            *(refresh_idea(idea_id) for idea_id in footprint.ideas),
            *(refresh_question(question_id, ama_id) for question_id, ama_id in footprint.questions),
            *(entry_render(run_id, entry_id) for entry_id, run_id in footprint.entries),
        ]
        await self._repo.erase(guild_id, member_id, self._clock.now(), renders)
