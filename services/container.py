"""All services, built once from the storage and the clock and handed to the bot."""

from dataclasses import dataclass

from services.amas import AmaService
from services.audit import AuditService
from services.challenges import ChallengeService
from services.clock import Clock
from services.guild_setup import GuildSetupService
from services.ideas import IdeaService
from services.insights import InsightsService
from services.polls import PollService
from services.privacy import PrivacyService
from storage.base import Storage


@dataclass(frozen=True)
class Services:
    clock: Clock
    audit: AuditService
    setup: GuildSetupService
    ideas: IdeaService
    polls: PollService
    amas: AmaService
    challenges: ChallengeService
    privacy: PrivacyService
    insights: InsightsService


def build_services(storage: Storage, clock: Clock) -> Services:
    return Services(
        clock=clock,
        audit=AuditService(storage.audit),
        setup=GuildSetupService(storage.guild_settings, storage.deliveries, clock),
        ideas=IdeaService(storage.ideas, clock),
        polls=PollService(storage.polls, clock),
        amas=AmaService(storage.amas, clock),
        challenges=ChallengeService(storage.challenges, clock),
        privacy=PrivacyService(storage.privacy, clock),
        insights=InsightsService(storage.insights, clock),
    )
