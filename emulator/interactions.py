"""Interactions a member starts, and what the bot answered to each."""

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

from emulator.state import Channel, Guild, Member, Payload, Role

EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Interaction types and callback types, as Discord numbers them.
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT, MODAL = 4, 5, 6, 7, 8, 9

# Application command option types.
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, NUMBER, ATTACHMENT = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    10,
    11,
)


class InteractionRecord:
    """One interaction: the payload sent to the bot and everything the bot did in answer."""

    def __init__(self, payload: Payload, member: Member, trigger: "InteractionRecord | None" = None) -> None:
        self.payload = payload
        self.member = member
        self.trigger = trigger  # for a modal submission: the interaction that opened the modal
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.response_type: int | None = None
        self.response_data: Payload = {}
        self.original: Payload | None = None
        self.followups: list[Payload] = []
        self.sent_at = time.perf_counter()
        self.answered_at: float | None = None
        self._changed = asyncio.Event()

    def metadata(self) -> Payload:
        """The `interaction_metadata` Discord puts on a message answering this interaction, by its type."""
        data: Payload = {
            "id": str(self.id),
            "type": self.payload["type"],
            "user": self.member.user.payload(),
            "authorizing_integration_owners": {"0": self.payload["guild_id"]},
        }
        if self.payload["type"] == MESSAGE_COMPONENT and self.source_message is not None:
            data["interacted_message_id"] = self.source_message["id"]
        if self.payload["type"] == MODAL_SUBMIT and self.trigger is not None:
            data["triggering_interaction_metadata"] = self.trigger.metadata()
        return data

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])

    @property
    def source_message(self) -> Payload | None:
        """The message whose component was used, for component and modal interactions."""
        return self.payload.get("message")

    @property
    def modal(self) -> Payload:
        assert self.response_type == MODAL, f"the bot answered with type {self.response_type}, not a modal"
        return self.response_data

    @property
    def choices(self) -> list[Payload]:
        assert self.response_type == AUTOCOMPLETE_RESULT
        return self.response_data["choices"]

    @property
    def latency(self) -> float:
        """Seconds from sending the interaction to the bot's first answer (Discord allows 3)."""
        assert self.answered_at is not None
        return self.answered_at - self.sent_at

    def changed(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], what: str, seconds: float = 5.0) -> None:
        try:
            async with asyncio.timeout(seconds):
                while not predicate():
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"the bot did not {what} within {seconds}s") from None

    async def reply(self) -> Payload:
        """The message the member sees in answer (after a defer: once the bot filled it in)."""
        await self.wait_for(
            lambda: self.original is not None and not self.original["flags"] & LOADING, "reply to the interaction"
        )
        assert self.original is not None
        return self.original

    async def followup(self, index: int = 0) -> Payload:
        await self.wait_for(lambda: len(self.followups) > index, f"send followup #{index + 1}")
        return self.followups[index]

    async def ephemeral_text(self) -> str:
        """The text of the reply, which must be ephemeral (seen only by the member)."""
        message = await self.reply()
        assert message["flags"] & EPHEMERAL, f"expected an ephemeral reply, got {message_text(message)!r}"
        return message_text(message)


def message_text(message: Payload) -> str:
    """Content plus every embed's visible text, for assertions."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        for item in embed.get("fields", []):
            parts += [item["name"], item["value"]]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def walk_components(components: list[Payload]) -> Iterator[Payload]:
    """Every component, however deeply nested in rows, labels and containers."""
    for component in components:
        yield component
        yield from walk_components(component.get("components", []))
        if "component" in component:
            yield from walk_components([component["component"]])
        if "accessory" in component:
            yield from walk_components([component["accessory"]])


def find_component(message: Payload, custom_id: str) -> Payload:
    for component in walk_components(message.get("components", [])):
        if component.get("custom_id") == custom_id:
            return component
    ids = [c.get("custom_id") for c in walk_components(message.get("components", [])) if c.get("custom_id")]
    raise AssertionError(f"no component {custom_id!r} on the message; it has {ids}")


def modal_answers(modal: Payload, values: dict[str, str]) -> list[Payload]:
    """The MODAL_SUBMIT components for `values` keyed by text input custom_id, shaped like the modal.

    Inputs not in `values` are submitted as the member left them (empty, or what the bot pre-filled)."""
    unknown = set(values) - {c.get("custom_id") for c in walk_components(modal["components"])}
    if unknown:
        raise AssertionError(f"the modal has no inputs {sorted(unknown)}")

    def answer(component: Payload) -> Payload:
        if component["type"] == 1:
            return {"type": 1, "components": [answer(c) for c in component["components"]]}
        if component["type"] == 18:
            return {"type": 18, "component": answer(component["component"])}
        value = values.get(component["custom_id"], component.get("value", ""))  # untouched fields keep their prefill
        required = component.get("required", True)
        low, high = component.get("min_length", 1 if required else 0), component.get("max_length", 4000)
        if (value or required) and not low <= len(value) <= high:
            raise AssertionError(f"Discord refuses input {component['custom_id']!r}: length {len(value)} out of bounds")
        return {"type": component["type"], "custom_id": component["custom_id"], "value": value}

    return [answer(c) for c in modal["components"]]


def check_constraints(definition: Payload, value: Any) -> None:
    """Discord's own client and API refuse values outside an option's declared bounds."""
    name = definition["name"]
    low, high = definition.get("min_value", float("-inf")), definition.get("max_value", float("inf"))
    if isinstance(value, str):
        if not definition.get("min_length", 0) <= len(value) <= definition.get("max_length", 6000):
            raise AssertionError(f"Discord refuses option {name!r}: length {len(value)} is outside its bounds")
    elif isinstance(value, int | float) and not low <= value <= high:
        raise AssertionError(f"Discord refuses option {name!r}: {value} is outside its bounds")
    choices = definition.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise AssertionError(f"Discord refuses option {name!r}: {value!r} is not one of its choices")


def resolve(value: Member | Channel | Role, guild: Guild, resolved: Payload) -> str:
    """Add what Discord sends about a member, channel or role to `resolved`; return its id, as Discord does."""
    key = str(value.id)
    if isinstance(value, Member):
        resolved.setdefault("users", {})[key] = value.user.payload()
        member = value.payload(permissions=guild.permissions_of(value))
        del member["user"]
        resolved.setdefault("members", {})[key] = member
    elif isinstance(value, Channel):
        resolved.setdefault("channels", {})[key] = value.payload() | {"permissions": str((1 << 50) - 1)}
    else:
        resolved.setdefault("roles", {})[key] = value.payload()
    return key


def command_options(
    definitions: list[Payload], given: dict[str, Any], guild: Guild, focused: str | None = None
) -> tuple[list[Payload], Payload]:
    """Turn keyword values into Discord's option list and `resolved` data, checking names and types."""
    by_name = {d["name"]: d for d in definitions}
    unknown = set(given) - set(by_name)
    if unknown:
        raise AssertionError(f"the command has no options {sorted(unknown)}; it has {sorted(by_name)}")
    missing = [d["name"] for d in definitions if d.get("required") and d["name"] not in given]
    if missing and focused is None:
        raise AssertionError(f"required options missing: {missing}")
    options: list[Payload] = []
    resolved: Payload = {}
    for name, value in given.items():
        kind = by_name[name]["type"]
        option: Payload = {"name": name, "type": kind}
        if kind in (USER, CHANNEL, ROLE):
            assert isinstance(value, {USER: Member, CHANNEL: Channel, ROLE: Role}[kind])
            option["value"] = resolve(value, guild, resolved)
        elif kind == ATTACHMENT:
            option["value"] = value["id"]
            resolved.setdefault("attachments", {})[value["id"]] = value
        else:
            if name != focused:
                check_constraints(by_name[name], value)
            option["value"] = value
        if name == focused:
            option["focused"] = True
        options.append(option)
    return options, resolved
