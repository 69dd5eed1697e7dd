"""Discord's message limits, so that the emulator rejects what Discord would reject (HTTP 400, code 50035)."""

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
