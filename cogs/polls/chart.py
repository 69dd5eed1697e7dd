"""The results chart posted when a poll closes: a PNG of horizontal bars, drawn with Pillow."""

import io

from PIL import Image, ImageDraw, ImageFont

from storage.models import PollResults

WIDTH, ROW, MARGIN, LABEL_WIDTH = 800, 44, 24, 260
BACKGROUND, TEXT, BAR, WINNER = (47, 49, 54), (230, 230, 230), (114, 137, 218), (67, 181, 129)


def results_chart(results: PollResults) -> bytes:
    """Bars per option (winners in green) with vote counts and percentages."""
    options = results.poll.options
    height = MARGIN * 2 + ROW * (len(options) + 1)
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=18)
    draw.text((MARGIN, MARGIN), f"Poll #{results.poll.id}: {results.ballots} ballots", fill=TEXT, font=font)
    total = sum(results.counts) or 1
    bar_space = WIDTH - LABEL_WIDTH - MARGIN * 2 - 110
    for i, (label, count) in enumerate(zip(options, results.counts, strict=True)):
        top = MARGIN + ROW * (i + 1)
        shown = label if len(label) <= 24 else label[:23] + "…"
        draw.text((MARGIN, top + 10), shown, fill=TEXT, font=font)
        length = round(bar_space * count / total)
        colour = WINNER if i in results.winners else BAR
        draw.rectangle((LABEL_WIDTH, top + 8, LABEL_WIDTH + max(length, 2), top + ROW - 8), fill=colour)
        draw.text((LABEL_WIDTH + length + 10, top + 10), f"{count} ({100 * count / total:.0f}%)", fill=TEXT, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
