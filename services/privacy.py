"""A member's data rights: see everything the bot holds about them, or have it erased."""

import json

from services.clock import Clock
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
        await self._repo.erase(guild_id, member_id)
