"""Decisions that race are made in the transaction that stores them: the repositories refuse a write whose
premise changed after the service checked it (a vote after the close, on a merged idea, after voting ended)."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage import Storage
from storage.base import IdeaClosed, LimitReached, PhaseOver, PollClosed
from storage.models import (
    AmaDraft,
    AmaStatus,
    ChallengeDraft,
    Host,
    IdeaDraft,
    IdeaStatus,
    Intent,
    Phase,
    PollDraft,
    QuestionStatus,
)

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
GUILD = 1


async def test_a_ballot_after_the_close_is_refused(storage: Storage) -> None:
    poll_id = await storage.polls.create(GUILD, 5, 6, PollDraft(question="Q", options=("A", "B")), None, NOW)
    await storage.polls.set_ballot(GUILD, poll_id, "7", 0, 1, NOW)
    assert await storage.polls.close(GUILD, poll_id, NOW)
    with pytest.raises(PollClosed):
        await storage.polls.set_ballot(GUILD, poll_id, "8", 1, 1, NOW)
    assert await storage.polls.counts(GUILD, poll_id) == ({0: 1}, 1)


async def test_a_vote_on_an_idea_merged_meanwhile_is_refused(storage: Storage) -> None:
    draft = IdeaDraft(title="Tin", description="d")
    first = await storage.ideas.create(GUILD, 2, draft, NOW, hourly_limit=5)
    second = await storage.ideas.create(GUILD, 2, draft, NOW, hourly_limit=5)
    await storage.ideas.merge(GUILD, second, first, None, NOW)
    with pytest.raises(IdeaClosed):
        await storage.ideas.toggle_vote(GUILD, second, 9, 1, NOW)
    assert (await storage.ideas.get(GUILD, second)).status == IdeaStatus.DUPLICATE  # type: ignore[union-attr]
    assert (await storage.ideas.get(GUILD, second)).upvotes == 0  # type: ignore[union-attr]


async def test_entries_and_votes_after_their_phase_are_refused(storage: Storage) -> None:
    draft = ChallengeDraft(
        name="Parade", themes=("Hats",), schedule="daily 18:00", timezone="UTC", channel_id=5,
        entry_minutes=60, voting_minutes=60,
    )  # fmt: skip
    challenge_id = await storage.challenges.create(GUILD, 3, draft, NOW)
    challenge = await storage.challenges.get(GUILD, challenge_id)
    assert challenge is not None
    run_id = await storage.challenges.start_run(
        challenge, "Hats", NOW, NOW + timedelta(hours=1), NOW + timedelta(hours=2)
    )
    run = await storage.challenges.run(GUILD, run_id)
    assert run is not None
    entry_id, _ = await storage.challenges.save_entry(run, 10, "mine", None, None, NOW)
    assert await storage.challenges.move(GUILD, run_id, Phase.ENTRIES, Phase.VOTING, NOW)
    with pytest.raises(PhaseOver):
        await storage.challenges.save_entry(run, 11, "late", None, None, NOW)
    assert await storage.challenges.toggle_vote(run, 12, entry_id, NOW)
    assert await storage.challenges.move(GUILD, run_id, Phase.VOTING, Phase.FINISHED, NOW)
    with pytest.raises(PhaseOver):
        await storage.challenges.toggle_vote(run, 13, entry_id, NOW)
    with pytest.raises(PhaseOver):  # a ballot, even an empty one, after the close
        await storage.challenges.cast_ballot(run, 12, set(), 1, NOW)
    assert await storage.challenges.winners(GUILD, run_id) == [(entry_id, 1)], "recorded with the close"


async def test_an_upvote_or_answer_after_the_ama_closed_is_refused(storage: Storage) -> None:
    draft = AmaDraft(
        title="AMA", hosts=(Host(id=3, name="sam"),), channel_id=5, starts_at=NOW, ends_at=NOW + timedelta(hours=1)
    )
    ama_id = await storage.amas.create(GUILD, 3, draft, NOW)
    assert await storage.amas.move(GUILD, ama_id, AmaStatus.SCHEDULED, AmaStatus.OPEN, NOW)
    ama = await storage.amas.get(GUILD, ama_id)
    assert ama is not None
    question_id = await storage.amas.add_question(ama, 9, "alice", False, "Why?", QuestionStatus.OPEN, NOW)
    assert await storage.amas.toggle_upvote(GUILD, question_id, 10, NOW) is True
    assert await storage.amas.move(GUILD, ama_id, AmaStatus.OPEN, AmaStatus.CLOSED, NOW)
    assert await storage.amas.toggle_upvote(GUILD, question_id, 11, NOW) is None
    assert await storage.amas.toggle_upvote(GUILD, question_id, 10, NOW) is None, "nor taken back"
    assert await storage.amas.answer(GUILD, question_id, "Because.", "sam", NOW) is False
    question = await storage.amas.question(GUILD, question_id)
    assert question is not None and (question.upvotes, question.answer) == (1, None)


async def test_each_process_claims_and_releases_only_the_deliveries_of_its_own_shards(storage: Storage) -> None:
    on_shard = {shard: (1_000 * 2 + shard) << 22 for shard in (0, 1)}  # guild ids on shard 0 and 1 of 2
    for guild_id in on_shard.values():
        intent = Intent(kind="message", lane=f"channel:{guild_id}", payload={"content": "hi"})
        await storage.deliveries.add(guild_id, [intent], NOW)
    first, second = (2, (0,)), (2, (1,))
    assert [d.guild_id for d in await storage.deliveries.claim(NOW, 10, shards=first)] == [on_shard[0]]
    await storage.deliveries.release_claims(second)  # the other process restarts: it leaves this claim alone
    assert await storage.deliveries.claim(NOW, 10, shards=first) == []
    assert [d.guild_id for d in await storage.deliveries.claim(NOW, 10, shards=second)] == [on_shard[1]]
    assert await storage.deliveries.pending_count(first) == 1 and await storage.deliveries.pending_count() == 2


async def test_the_hourly_limit_holds_against_submissions_at_the_same_moment(storage: Storage) -> None:
    """Twenty submissions race (on PostgreSQL over several connections): exactly the limit of five are stored."""
    draft = IdeaDraft(title="Tin", description="d")
    outcomes = await asyncio.gather(
        *(storage.ideas.create(GUILD, 2, draft, NOW, hourly_limit=5) for _ in range(20)), return_exceptions=True
    )
    assert sum(isinstance(o, int) for o in outcomes) == 5
    assert all(isinstance(o, int | LimitReached) for o in outcomes), outcomes
