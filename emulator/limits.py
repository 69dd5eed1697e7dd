"""Discord's message limits, so that the emulator rejects what Discord would reject (HTTP 400, code 50035)."""

import re

from emulator.state import Payload


def message_problems(body: Payload) -> list[str]:
    problems = []
    if len(body.get("content") or "") > 2000:
        problems.append("content: must be 2000 or fewer in length")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append("embeds: must be 10 or fewer in length")
    for i, embed in enumerate(embeds):
        total = 0
        for key, limit in (("title", 256), ("description", 4096)):
            total += len(embed.get(key) or "")
            if len(embed.get(key) or "") > limit:
                problems.append(f"embeds.{i}.{key}: must be {limit} or fewer in length")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(f"embeds.{i}.fields: must be 25 or fewer in length")
        for j, field in enumerate(fields):
            total += len(field["name"]) + len(field["value"])
            if not field["name"] or len(field["name"]) > 256:
                problems.append(f"embeds.{i}.fields.{j}.name: must be 1 to 256 in length")
            if not field["value"] or len(field["value"]) > 1024:
                problems.append(f"embeds.{i}.fields.{j}.value: must be 1 to 1024 in length")
        footer = (embed.get("footer") or {}).get("text") or ""
        total += len(footer) + len((embed.get("author") or {}).get("name") or "")
        if total > 6000:
            problems.append(f"embeds.{i}: total text must be 6000 or fewer in length")
    rows = body.get("components") or []
    if len(rows) > 5 and not body.get("flags", 0) & (1 << 15):
        problems.append("components: must be 5 or fewer in length")
    custom_ids = [c.get("custom_id") for row in rows for c in row.get("components", []) if c.get("custom_id")]
    if len(custom_ids) != len(set(custom_ids)):
        problems.append("components: custom_id must be unique within a message")
    for row in rows:
        for component in row.get("components", []):
            if len(component.get("custom_id") or "") > 100:
                problems.append("components: custom_id must be 100 or fewer in length")
            if len(component.get("label") or "") > 80:
                problems.append("components: label must be 80 or fewer in length")
    return problems


# Discord's rule for the names of slash commands and their options, in every locale: 1 to 32 letters, digits, "-",
# "_" or "'", lowercase where the letter has a lowercase form.
COMMAND_NAME = re.compile(r"[-_'\w]{1,32}")


def name_problems(path: str, item: Payload) -> list[str]:
    names = {f"{path}.name": item["name"]} | {
        f"{path}.name_localizations.{locale}": name for locale, name in (item.get("name_localizations") or {}).items()
    }
    return [
        f"{where}: Command name is invalid"
        for where, name in names.items()
        if not COMMAND_NAME.fullmatch(name) or name != name.lower()
    ]


def command_problems(definitions: list[Payload], path: str = "") -> list[str]:
    """Invalid or repeated names (in any locale) among sibling commands or options, recursively."""
    problems = []
    seen: set[tuple[str | None, str]] = set()
    for index, item in enumerate(definitions):
        where = f"{path}{index}"
        if "name" not in item:  # a choice
            continue
        problems += name_problems(where, item)
        for locale, name in [(None, item["name"]), *(item.get("name_localizations") or {}).items()]:
            if (locale, name) in seen:
                problems.append(f"{where}.name: Application command names must be unique")
            seen.add((locale, name))
        problems += command_problems(item.get("options") or [], f"{where}.options.")
    return problems
