"""Texts and legends printed over the data of an axes.

A note or a legend box placed inside an axes hides what it covers; matplotlib's
``loc="best"`` only avoids the data's vertices, not the line segments between them, and a
fixed position knows nothing of the data. Checked, in display pixels at the save dpi:

* which texts: ``ax.text`` and annotations of an axes (the text's box, and its bbox patch when
  it has one; an annotation's arrow is meant to reach the data and is not checked), the
  axes' legend (the box of its entries), and figure-level texts and legends against every
  axes they lie over. Tick labels, axis labels and titles sit outside the axes: not concerned.
* which data: visible Line2D artists (every segment between consecutive points, so a line
  that crosses the box between two points counts, and their markers), scatter markers (with
  their size), line collections (error bars, ``vlines``) and unfilled patches such as
  ``ax.stairs``, each clipped to the axes when clipped on. Filled areas (CI bands, bars,
  shading) are not checked: text over a light band is usually fine.

Opt-out: a text meant to sit on data (e.g. a label on an opaque white box) is marked, one
artist at a time, with ``allow_over_data(text)``, which sets its gid to ``OVER_DATA_OK``. The
gid changes nothing in PNG or PDF output; in SVG it becomes the id of the text's group.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from rnnlab.plotting.figure_parts import (
    DrawnText,
    all_axes,
    all_figures,
    axes_names,
    is_colorbar,
    owner_axes,
    quote,
    text_roles,
)

OVER_DATA_OK = "rnnlab:over-data-ok"
_NO_STYLE = (None, "", " ", "None", "none")


def allow_over_data(artist):
    """Mark a text, annotation or legend as meant to sit on the data; returns it."""
    artist.set_gid(OVER_DATA_OK)
    return artist


def texts_over_data(figure: Figure, drawn: list[DrawnText], renderer,
                    margin: float = 0.5) -> list[str]:
    """Messages "over data: ..." for texts and legends covering lines or markers.

    ``drawn``: the texts as drawn (``rnnlab.plotting.checks``); ``margin``: pixels taken off
    each side of a box, so that a line merely touching it passes.
    """
    names = axes_names(figure)
    roles = text_roles(figure)
    owners = owner_axes(figure)
    axes = [ax for ax in all_axes(figure) if ax.get_visible() and not is_colorbar(ax)]
    drawn_ids = {id(item.text) for item in drawn}
    figure_level = {id(t) for fig in all_figures(figure) for t in fig.texts}
    boxes = []  # (name, box in pixels, axes to check against)
    for item in drawn:
        text = item.text
        if text.get_gid() == OVER_DATA_OK:
            continue
        box = item.extent if item.patch is None else Bbox.union([item.extent, item.patch])
        if id(text) in owners:
            boxes.append((item.name, box, [owners[id(text)]]))
        elif id(text) in figure_level:
            boxes.append((item.name, box, axes))
    legends = [(legend, [owners[id(legend)]]) for legend in _axes_legends(figure)]
    legends += [(legend, axes) for fig in all_figures(figure) for legend in fig.legends]
    for legend, targets in legends:
        entries = [t for t in legend.get_texts() if id(t) in drawn_ids]
        if not entries or not legend.get_visible() or legend.get_gid() == OVER_DATA_OK:
            continue
        first = quote(entries[0].get_text())
        owner = roles.get(id(entries[0]), "legend").replace("legend entry of ", "")
        name = f"legend {first}{', …' if len(entries) > 1 else ''} ({owner})"
        boxes.append((name, legend.get_window_extent(renderer), targets))

    messages = []
    for name, box, targets in boxes:
        for ax in targets:
            covered = _covered(ax, box, margin, renderer)
            if covered:
                listed = ", ".join(covered[:4]) + (", …" if len(covered) > 4 else "")
                messages.append(f"over data: {name} covers {listed} in {names[id(ax)]}")
    return messages


def _axes_legends(figure: Figure) -> list[Legend]:
    found = []
    for ax in all_axes(figure):
        legend = ax.get_legend()
        if legend is not None and ax.get_visible():
            found.append(legend)
    return found


def _covered(ax, box: Bbox, margin: float, renderer) -> list[str]:
    """Names of the data artists of ``ax`` that pass through ``box`` (pixels)."""
    x0, y0, x1, y1 = box.extents
    x0, y0, x1, y1 = x0 + margin, y0 + margin, x1 - margin, y1 - margin
    if x0 >= x1 or y0 >= y1:
        return []
    covered = []
    dpi_scale = ax.get_figure(root=True).dpi / 72.0
    for artist in [*ax.lines, *ax.collections, *ax.patches]:
        if not artist.get_visible():
            continue
        rect = (x0, y0, x1, y1)
        if artist.get_clip_on():
            rect = _intersection(rect, ax.bbox.extents)
            if rect is None:
                continue
        if _hits(artist, rect, dpi_scale):
            covered.append(_data_name(artist))
    return list(dict.fromkeys(covered))


def _intersection(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def _hits(artist, rect, dpi_scale: float) -> bool:
    """Does the artist's line or markers pass through ``rect`` (x0, y0, x1, y1, pixels)?"""
    if isinstance(artist, Line2D):
        points = artist.get_transform().transform_path(artist.get_path()).vertices
        if artist.get_linestyle() not in _NO_STYLE and artist.get_linewidth() > 0:
            if _segments_hit(points[:-1], points[1:], rect):
                return True
        if artist.get_marker() not in _NO_STYLE:
            radius = artist.get_markersize() * dpi_scale / 2
            return _points_hit(points, rect, radius)
        return False
    if isinstance(artist, PathCollection):
        offsets = artist.get_offset_transform().transform(np.asarray(artist.get_offsets()))
        sizes = np.asarray(artist.get_sizes(), dtype=float)
        radius = np.sqrt(sizes if sizes.size else np.array([0.0])) * dpi_scale / 2
        return _points_hit(offsets, rect, np.resize(radius, len(offsets)))
    if isinstance(artist, LineCollection):
        transform = artist.get_transform()
        for segment in artist.get_segments():
            if len(segment) > 1:
                points = transform.transform(np.asarray(segment, dtype=float))
                if _segments_hit(points[:-1], points[1:], rect):
                    return True
        return False
    if isinstance(artist, Patch) and not artist.get_fill() and artist.get_linewidth() > 0:
        path = artist.get_transform().transform_path(artist.get_path())
        for polygon in path.to_polygons(closed_only=False):
            if len(polygon) > 1 and _segments_hit(polygon[:-1], polygon[1:], rect):
                return True
    return False


def _points_hit(points: np.ndarray, rect, radius) -> bool:
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    x0, y0, x1, y1 = rect
    inside = ((points[:, 0] + radius > x0) & (points[:, 0] - radius < x1)
              & (points[:, 1] + radius > y0) & (points[:, 1] - radius < y1))
    return bool(inside.any())


def _segments_hit(start: np.ndarray, end: np.ndarray, rect) -> bool:
    """Liang–Barsky, vectorised: does any segment start[i]–end[i] meet the rectangle?
    Segments with a non-finite end (gaps in a line) are skipped."""
    start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    keep = np.isfinite(start).all(axis=1) & np.isfinite(end).all(axis=1)
    start, end = start[keep], end[keep]
    if not len(start):
        return False
    low = np.zeros(len(start))
    high = np.ones(len(start))
    for axis, (lo, hi) in enumerate(((rect[0], rect[2]), (rect[1], rect[3]))):
        p, d = start[:, axis], end[:, axis] - start[:, axis]
        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t2 = (lo - p) / d, (hi - p) / d
        flat = d == 0
        enter = np.where(flat, np.where((p >= lo) & (p <= hi), 0.0, np.inf), np.minimum(t1, t2))
        leave = np.where(flat, np.where((p >= lo) & (p <= hi), 1.0, -np.inf), np.maximum(t1, t2))
        low, high = np.maximum(low, enter), np.minimum(high, leave)
    return bool((low <= high).any())


def _data_name(artist) -> str:
    label = str(artist.get_label() or "")
    kind = {"Line2D": "line", "Line3D": "line", "PathCollection": "markers",
            "Path3DCollection": "markers", "LineCollection": "lines",
            "StepPatch": "steps"}.get(type(artist).__name__, type(artist).__name__)
    if label and not label.startswith("_"):
        return f"{kind} {quote(label)}"
    ax = artist.axes
    if isinstance(artist, Line2D) and ax is not None and any(
            artist.get_transform() is t for t in (ax.get_xaxis_transform(which="grid"),
                                                  ax.get_yaxis_transform(which="grid"))):
        kind = "reference line (axhline/axvline)"
    color = _color_of(artist)
    article = "" if kind.endswith("s") else "an "
    return f"{article}unlabelled {kind}" + (f" ({color})" if color else "")


def _color_of(artist) -> str | None:
    from matplotlib import colors as mcolors

    try:
        if isinstance(artist, Line2D):
            return mcolors.to_hex(artist.get_color())
        if isinstance(artist, Patch):
            return mcolors.to_hex(artist.get_edgecolor())
        colors = artist.get_facecolors() if isinstance(artist, PathCollection) else (
            artist.get_edgecolors())
        return mcolors.to_hex(colors[0]) if len(colors) else None
    except (ValueError, TypeError, IndexError):
        return None
