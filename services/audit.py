"""The audit log as staff read it: every staff and moderator action, newest first, and as a CSV export."""

from services.i18n import N_, _
from services.spreadsheet import csv_text
from storage.base import AuditRepository
from storage.models import AuditEntry

SHOWN = 20  # lines in `/setup audit`; the export has them all
ACTIONS = {
    "idea.status": N_("changed the status of"),
    "idea.merge": N_("merged"),
    "idea.credit": N_("credited a co-author on"),
    "settings": N_("changed the"),
    "poll.close": N_("closed early"),
    "question.approve": N_("approved"),
    "question.reject": N_("rejected"),
    "challenge.delete": N_("deleted"),
    "idea.remove": N_("removed"),
    "idea.approve": N_("approved"),
    "idea.reject": N_("rejected"),
    "question.remove": N_("removed"),
    "entry.remove": N_("removed"),
}


def action_name(entry: AuditEntry) -> str:
    """What was done, in the reader's language ("changed the status of")."""
    return _(ACTIONS[entry.action]) if entry.action in ACTIONS else entry.action


class AuditService:
    def __init__(self, repository: AuditRepository) -> None:
        self._repo = repository

    async def recent(self, guild_id: int) -> list[AuditEntry]:
        return await self._repo.recent(guild_id, SHOWN)

    async def export_csv(self, guild_id: int) -> str:
        """Every line, oldest first; reasons staff typed that a spreadsheet would run as a formula are neutralised."""
        rows = (
            [e.id, e.at.isoformat(), e.actor_id, e.action, e.subject, e.detail] for e in await self._repo.all(guild_id)
        )
        return csv_text(["id", "at", "actor_id", "action", "subject", "detail"], rows)
