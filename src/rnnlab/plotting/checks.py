"""Layout defects of a figure as it will be printed, found automatically.

Thesis figures are read on paper, where nobody can zoom in: two labels printed on top of each
other, a label cut at the page edge, a 5-pt legend, a legend entry for something that is not
in the plot or a note printed across a curve are defects. ``figure_defects`` draws a figure
exactly as ``rnnlab.plotting.style.save_figure`` will (its own size, ``style_context()``,
``DPI``, constrained layout applied) and returns one message per defect, naming the texts and
panels involved; an empty list means the figure is clean. Typical use in a test::

    assert figure_defects(figure) == []

Checks (in pixels at the save dpi; boxes that merely touch pass):

1. overlap     no two drawn, non-empty texts overlap: titles, axis labels, tick labels (3-D
               axes included), legend entries and titles, ``ax.text``/annotations, figure
               texts and suptitles, colour-bar labels and ticks, table cells. Each text is
               its own (possibly rotated) box, so rotated tick labels are not judged by
               their much larger axis-aligned box, and the font's white space for
               descenders is left out of texts without descenders. Boxes must overlap by
               more than ``OVERLAP_TOLERANCE_PX`` (1 px, 0.17 mm in print): diagonal rows of
               3-D tick labels touch at their corners by a fraction of a pixel.
2. off canvas  every such text lies inside the figure (to ``TOLERANCE_PX`` = 0.5 px).
3. legend      labelled artists have a legend entry, legend entries have something drawn,
               and a legend does not leave out one colour of a family of curves it explains
               (details in ``rnnlab.plotting.legend_checks``).
4. small font  no text is smaller than ``min_font_pt`` points. The figure is saved at its
               own size, so the font size in points is the printed size.
5. over data   a text, annotation or legend inside an axes does not cover that axes' lines
               or markers (``rnnlab.plotting.data_checks``). A text meant to sit on data opts
               out with ``allow_over_data(text)``.

The figure is drawn once (as ``savefig`` does) and the positions constrained layout gives to
the axes are put back afterwards, so a later ``save_figure`` writes the same bytes as without
the check. The drawn texts are recorded by wrapping ``Text.draw`` while the figure is drawn:
this sees exactly the texts that are printed (ticks outside the view, hidden tick labels and
axes that are switched off are left out, as in the file). Not thread-safe while it runs.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from contextlib import contextmanager

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from rnnlab.plotting.data_checks import OVER_DATA_OK, allow_over_data, texts_over_data
from rnnlab.plotting.figure_parts import DrawnText, all_axes, all_figures, quote, text_roles
from rnnlab.plotting.legend_checks import legend_defects
from rnnlab.plotting.style import DPI, style_context

__all__ = ["figure_defects", "allow_over_data", "OVER_DATA_OK"]

TOLERANCE_PX = 0.5
OVERLAP_TOLERANCE_PX = 1.0


def figure_defects(figure: Figure, *, min_font_pt: float = 6.0) -> list[str]:
    """Layout defects of ``figure`` as saved by ``save_figure``; [] when it is clean.

    One human-readable message per defect, prefixed by the check that found it ("overlap:",
    "off canvas:", "legend:", "small font:", "over data:"). The figure itself is left as it
    was: saving it afterwards gives the same file.
    """
    with _drawn_as_saved(figure) as (renderer, drawn):
        roles = text_roles(figure)
        for item in drawn:
            item.role = roles.get(id(item.text), "text")
        defects = overlapping_texts(drawn)
        defects += texts_off_canvas(drawn, figure.bbox)
        defects += legend_defects(figure)
        defects += small_fonts(drawn, min_font_pt)
        defects += texts_over_data(figure, drawn, renderer)
    return defects


# ----------------------------------------------------------------------------- drawing


@contextmanager
def _drawn_as_saved(figure: Figure):
    """Draw ``figure`` as ``save_figure`` would; yield (renderer, drawn texts); undo layout."""
    if not isinstance(figure.canvas, FigureCanvasAgg):
        raise TypeError(f"figure_defects needs a Figure on an Agg canvas (as made by "
                        f"rnnlab.plotting.style.new_figure), not {type(figure.canvas).__name__}")
    saved = _layout_state(figure)
    previous_dpi = figure.dpi
    try:
        with style_context():
            figure.dpi = DPI  # savefig sets the figure's dpi to the save dpi the same way
            with _recording_texts() as drawn:
                figure.canvas.draw()
            yield figure.canvas.get_renderer(), drawn
    finally:
        figure.dpi = previous_dpi
        _restore_layout_state(saved)


@contextmanager
def _recording_texts():
    """Record every Text that draws itself, with its geometry measured at that moment.

    Measuring inside the draw matters for 3-D texts, whose projected position only exists
    while they are drawn.
    """
    drawn: list[DrawnText] = []
    seen: set[int] = set()
    original = Text.__dict__["draw"]

    @functools.wraps(original)
    def draw(self, renderer):
        original(self, renderer)
        if id(self) not in seen and self.get_visible() and self.get_text():
            item = _measure(self, renderer)
            if item is not None:
                seen.add(id(self))
                drawn.append(item)

    Text.draw = draw
    try:
        yield drawn
    finally:
        Text.draw = original


def _measure(text: Text, renderer) -> DrawnText | None:
    extent = Text.get_window_extent(text, renderer)  # Text's: an annotation's arrow is data
    if not np.isfinite(extent.get_points()).all():
        return None
    patch = text.get_bbox_patch()
    patch_extent = None
    if patch is not None and patch.get_visible():
        patch_extent = patch.get_window_extent(renderer)
    return DrawnText(text=text, string=text.get_text(), extent=extent,
                     corners=_corners(text, renderer, extent), patch=patch_extent,
                     fontsize=float(text.get_fontsize()))


# Characters that reach below the baseline (and mathtext, which may): a text without them
# has the font's descent as white space at the bottom of its box.
_DESCENDERS = set("gjpqyQ,;()[]{}|/\\_$@µ§")
_DESCENT_EM = 0.2  # DejaVu Sans reserves 0.24 em below the baseline


def _corners(text: Text, renderer, extent: Bbox) -> np.ndarray:
    """Corners (4, 2) of the text's own box, rotated with the text, without the white space
    the font reserves for descenders when the (last) line has none.

    Matplotlib's text box spans the font's full ascent and descent, so stacked tick labels
    such as '1.5' over '1.0' have overlapping boxes while their digits are apart; the box
    without that space overlaps only when the glyphs come close. A rotated rectangle and
    its axis-aligned box have the same centre: the box is that centre, the unrotated size
    (matplotlib's text layout) and the angle.
    """
    angle = float(text.get_rotation()) % 360.0
    x0, y0, x1, y1 = extent.extents
    quarter = round(angle / 90.0) % 4
    if abs(angle - 90.0 * round(angle / 90.0)) < 1e-6:
        width, height = (x1 - x0, y1 - y0) if quarter % 2 == 0 else (y1 - y0, x1 - x0)
    else:
        try:
            width, height = text._get_layout(renderer)[2][1]  # private: text-aligned size
        except Exception:  # layout internals changed: use the (larger) axis-aligned box
            width, height, angle = x1 - x0, y1 - y0, 0.0
    trim = 0.0
    last_line = text.get_text().split("\n")[-1]
    if not _DESCENDERS & set(last_line):
        size_px = text.get_fontsize() * text.get_figure(root=True).dpi / 72.0
        trim = min(_DESCENT_EM * size_px, 0.5 * height)
    theta = np.deg2rad(angle)
    right = np.array([np.cos(theta), np.sin(theta)])
    up = np.array([-np.sin(theta), np.cos(theta)])
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2]) + up * trim / 2
    half_w, half_h = width / 2, (height - trim) / 2
    return np.array([centre + sx * half_w * right + sy * half_h * up
                     for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))])


def _layout_state(figure: Figure) -> list:
    """What drawing changes and a later save depends on: the positions constrained layout
    (and fixed aspect ratios) give to the axes, their view limits, subfigure boxes.

    Constrained layout starts from the current positions, so a second layout pass does not
    give exactly the same positions as the first: without putting these back, a figure saved
    after the check would differ (by a pixel here and there) from one saved without it.
    """
    state = []
    for ax in all_axes(figure):
        state.append((ax, ax._position.frozen(), ax._originalPosition.frozen(),
                      ax.viewLim.frozen(), dict(getattr(ax, "_stale_viewlims", {}))))
    subfigures = [(f, f.bbox_relative.frozen()) for f in all_figures(figure)[1:]]
    return [state, subfigures]


def _restore_layout_state(saved: list) -> None:
    state, subfigures = saved
    for ax, active, original, view, stale in state:
        ax._set_position(original, which="original")
        ax._set_position(active, which="active")
        ax.viewLim.set_points(view.get_points())
        if stale:
            ax._stale_viewlims.update(stale)
    for subfigure, box in subfigures:
        subfigure.bbox_relative.set_points(box.get_points())


# ----------------------------------------------------------------------------- texts


def overlapping_texts(drawn: list[DrawnText],
                      tolerance: float = OVERLAP_TOLERANCE_PX) -> list[str]:
    """One message per pair of kinds of text that overlap (e.g. z tick labels and the
    z-axis label of one panel), listing the overlapping pairs and by how many pixels."""
    if len(drawn) < 2:
        return []
    boxes = np.array([item.extent.extents for item in drawn])
    first, second = np.triu_indices(len(drawn), 1)
    wide = np.minimum(boxes[first, 2], boxes[second, 2]) - np.maximum(boxes[first, 0],
                                                                      boxes[second, 0])
    tall = np.minimum(boxes[first, 3], boxes[second, 3]) - np.maximum(boxes[first, 1],
                                                                      boxes[second, 1])
    candidates = (wide > tolerance) & (tall > tolerance)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for i, j in zip(first[candidates], second[candidates]):
        depth = _penetration(drawn[i].corners, drawn[j].corners)
        if depth <= tolerance:
            continue
        a, b = sorted((drawn[i], drawn[j]), key=lambda item: item.role)
        groups[(a.role, b.role)].append(f"{quote(a.string)}/{quote(b.string)} ({depth:.1f} px)")
    messages = []
    for (role_a, role_b), pairs in groups.items():
        where = f"{role_a}" if role_a == role_b else f"{role_a} and {role_b}"
        listed = ", ".join(pairs[:6]) + (f", … ({len(pairs)} pairs)" if len(pairs) > 6 else "")
        messages.append(f"overlap: {where}: {listed}")
    return messages


def _penetration(a: np.ndarray, b: np.ndarray) -> float:
    """How deep two convex quadrilaterals (4, 2) overlap: the smallest overlap of their
    projections on the edge normals (separating axis theorem); <= 0 when apart."""
    depth = np.inf
    for quad in (a, b):
        for k in range(2):  # a rectangle has two edge directions
            edge = quad[k + 1] - quad[k]
            length = np.hypot(*edge)
            if length == 0:
                continue
            normal = np.array([-edge[1], edge[0]]) / length
            pa, pb = a @ normal, b @ normal
            depth = min(depth, min(pa.max(), pb.max()) - max(pa.min(), pb.min()))
    return float(depth)


def texts_off_canvas(drawn: list[DrawnText], canvas: Bbox,
                     tolerance: float = TOLERANCE_PX) -> list[str]:
    """Texts that extend beyond the figure's edges (cut in the saved file)."""
    messages = []
    for item in drawn:
        xs, ys = item.corners[:, 0], item.corners[:, 1]
        beyond = {
            "left": canvas.x0 - xs.min(),
            "right": xs.max() - canvas.x1,
            "bottom": canvas.y0 - ys.min(),
            "top": ys.max() - canvas.y1,
        }
        sides = [f"{px:.0f} px beyond the {side} edge" for side, px in beyond.items()
                 if px > tolerance]
        if sides:
            messages.append(f"off canvas: {item.name} extends {' and '.join(sides)}")
    return messages


def small_fonts(drawn: list[DrawnText], min_font_pt: float) -> list[str]:
    """Texts printed under ``min_font_pt`` points, grouped by kind and size."""
    groups: dict[tuple[str, float], list[str]] = defaultdict(list)
    for item in drawn:
        if item.fontsize < min_font_pt - 1e-9:
            groups[(item.role, item.fontsize)].append(quote(item.string))
    messages = []
    for (role, size), strings in groups.items():
        listed = ", ".join(strings[:5]) + (f", … ({len(strings)} texts)" if len(strings) > 5
                                           else "")
        messages.append(f"small font: {size:g} pt < {min_font_pt:g} pt: {role}: {listed}")
    return messages
