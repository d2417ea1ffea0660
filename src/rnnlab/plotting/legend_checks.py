"""Does the legend tell the truth about the plot? Three checks on a drawn figure.

(a) Every visible artist in an axes with a user label (not starting with "_") and non-empty
    data has an entry, i.e. its label is the text of an entry of some legend of the figure
    (axes or figure legends). An artist whose mappable has a colour bar is explained by it.
(b) Every legend entry has something drawn. An entry is matched when a drawn artist carries
    its text as label (the handle was the artist itself, or a proxy named like it), or when
    a drawn artist looks like the entry's handle (proxy handles such as
    ``Line2D([], [], color=..., marker=...)`` or ``Patch(...)``):

    * a handle with a line needs a drawn line (Line2D, line collection, unfilled patch) of
      the same line style (dashes of a collection match any dashed style) and colour;
    * a handle with a marker needs drawn markers (Line2D markers or a scatter) of the same
      shape, the same fill (filled or hollow) and colour (face colour of a filled marker,
      edge colour of a hollow one); a handle with a line and a marker needs both on one
      artist;
    * a patch handle needs anything drawn in its face colour (patch, fill, collection, line);
    * colours match to 1/255 with alpha ignored (legends often show an opaque version of a
      translucent curve). A grey or black handle colour is taken as "any colour": keys such
      as "solid: output, dashed: target" or "hollow: slow point" draw the shape in a neutral
      colour and the data in colours coded elsewhere, so only the shape and fill are required.
      The cost: an entry in a neutral colour with nothing of that colour drawn is accepted
      if something of that shape is drawn.
(c) A legend that explains curves by colour does not leave one out: when, in one axes, lines
    drawn alike (same line style, marker, width, alpha) have colours that are in its legend
    (the axes' own legend or a figure legend)
    and an unlabelled one has another colour (not grey) that is in no legend, that colour is
    missing from the legend ("handles[:6]" of 7 conditions). Labelled lines are (a)'s.

Not judged: legend handles matplotlib cannot draw (no handler), images (explained by a colour
bar or not at all), what the label text says.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.collections import Collection, LineCollection, PathCollection
from matplotlib.container import Container
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch

from rnnlab.plotting.figure_parts import all_axes, all_figures, axes_names, is_colorbar, quote

_NO_STYLE = (None, "", " ", "None", "none")
_ANY_DASHES = "dashed"  # line style of a dashed line collection: matches any dashed style


@dataclass(frozen=True)
class Mark:
    """One visual element of an artist or legend handle: a line, markers or an area.

    ``colors``: hex colours (#rrggbb, alpha dropped). ``marker``: a key of the marker's path.
    """

    kind: str
    colors: frozenset[str]
    linestyle: str | None = None
    marker: tuple | None = None
    filled: bool | None = None
    symbol: str = field(default="", compare=False)  # the marker as given, for messages


@dataclass
class Drawn:
    """A visible artist with data in an axes, with its marks."""

    artist: object
    where: str
    label: str
    marks: list[Mark]
    family: tuple | None = None  # Line2D only: how it is drawn apart from its colour
    color: str | None = None  # Line2D only: its line colour


@dataclass
class Entry:
    text: str
    where: str
    requirements: list[Mark] = field(default_factory=list)
    axes: str | None = None  # the axes of an axes legend (as in Drawn.where); None: figure


def legend_defects(figure: Figure) -> list[str]:
    """Messages "legend: ..." for checks (a), (b) and (c) of the module docstring."""
    names = axes_names(figure)
    drawn = drawn_artists(figure, names)
    entries = legend_entries(figure, names)
    texts = {entry.text for entry in entries}
    messages = []
    for item in drawn:  # (a)
        if (_user_label(item.label) and item.label not in texts
                and getattr(item.artist, "colorbar", None) is None):
            hint = "" if entries else " (the figure has no legend)"
            messages.append(f"legend: {quote(item.label)} ({_kind(item.artist)} in {item.where})"
                            f" is labelled but has no legend entry{hint}")
    labels = {item.label for item in drawn if _user_label(item.label)}
    for entry in entries:  # (b)
        if entry.text in labels or not entry.requirements:
            continue
        if not any(_satisfies(entry.requirements, item.marks) for item in drawn):
            messages.append(f"legend: entry {quote(entry.text)} of {entry.where} "
                            f"({_describe(entry.requirements)}) has nothing drawn like it")
    messages += _missing_colors(drawn, entries)  # (c)
    return messages


# ----------------------------------------------------------------------------- collecting


def drawn_artists(figure: Figure, names: dict[int, str]) -> list[Drawn]:
    """Visible artists with non-empty data in the visible axes (colour bars left out)."""
    found = []
    for ax in all_axes(figure):
        if not ax.get_visible() or is_colorbar(ax):
            continue
        where = names[id(ax)]
        for artist in [*ax.lines, *ax.collections, *ax.patches]:
            if artist.get_visible() and _has_data(artist):
                found.append(_drawn(artist, where))
        for container in ax.containers:
            children = [c for c in _container_children(container)
                        if c.get_visible() and _has_data(c)]
            if children:
                marks = [m for child in children for m in _marks(child)]
                found.append(Drawn(container, where, str(container.get_label() or ""), marks))
    return found


def _container_children(container: Container) -> list:
    children = []
    for child in container.get_children():
        children += list(child) if isinstance(child, (list, tuple)) else [child]
    return [c for c in children if c is not None]


def _drawn(artist, where: str) -> Drawn:
    item = Drawn(artist, where, str(artist.get_label() or ""), _marks(artist))
    if isinstance(artist, Line2D):
        marker = artist.get_marker()
        item.family = (artist.get_linestyle(), None if marker in _NO_STYLE else _marker_key(marker),
                       round(float(artist.get_linewidth()), 2), artist.get_alpha(),
                       artist.get_drawstyle())
        item.color = _hex(artist.get_color())
    return item


def legend_entries(figure: Figure, names: dict[int, str]) -> list[Entry]:
    """Entries (visible, non-empty text) of the axes legends and figure legends."""
    legends = []
    for ax in all_axes(figure):
        legend = ax.get_legend()
        if legend is not None and ax.get_visible():
            legends.append((legend, f"the legend of {names[id(ax)]}", names[id(ax)]))
    for fig in all_figures(figure):
        legends += [(legend, "the figure legend", None) for legend in fig.legends]
    entries = []
    for legend, where, axes in legends:
        if not legend.get_visible():
            continue
        for handle, text in zip(legend.legend_handles, legend.get_texts()):
            if text.get_visible() and text.get_text():
                entries.append(Entry(text.get_text(), where,
                                     _requirements(handle) if handle is not None else [], axes))
    return entries


def _has_data(artist) -> bool:
    if isinstance(artist, Line2D):
        xy = np.asarray(artist.get_xydata(), dtype=float)
        return bool(xy.size) and bool(np.isfinite(xy).all(axis=-1).any())
    if isinstance(artist, PathCollection):
        offsets = np.asarray(artist.get_offsets(), dtype=float)
        return bool(offsets.size) and bool(np.isfinite(offsets).all(axis=-1).any())
    if isinstance(artist, LineCollection):
        return any(len(segment) > 1 for segment in artist.get_segments())
    if isinstance(artist, Collection):
        return any(len(path.vertices) for path in artist.get_paths())
    return True


# ----------------------------------------------------------------------------- looks


def _hex(color) -> str:
    return mcolors.to_hex(mcolors.to_rgba(color), keep_alpha=False)


def _visible_colors(rgba) -> frozenset[str]:
    """Hex colours of an (N, 4) array, leaving out transparent ones (at most 256)."""
    rgba = np.atleast_2d(np.asarray(rgba, dtype=float))
    if rgba.size == 0:
        return frozenset()
    rgba = rgba[rgba[:, 3] > 0]
    unique = np.unique(np.round(rgba[:, :3] * 255).astype(int), axis=0)[:256]
    return frozenset("#%02x%02x%02x" % tuple(int(v) for v in row) for row in unique)


def _is_neutral(color: str) -> bool:
    """Grey, black or white: used by keys that explain a shape, not a colour."""
    rgb = np.array(mcolors.to_rgb(color))
    return float(rgb.max() - rgb.min()) < 0.03


def _marker_key(marker) -> tuple:
    style = marker if isinstance(marker, MarkerStyle) else MarkerStyle(marker)
    return _path_key(style.get_path().transformed(style.get_transform()))


def _path_key(path) -> tuple:
    codes = None if path.codes is None else tuple(int(c) for c in path.codes)
    return (tuple(np.round(path.vertices, 2).ravel().tolist()), codes)


def _marks(artist) -> list[Mark]:
    """The marks of a drawn artist or of a legend handle."""
    if isinstance(artist, Line2D):
        return _line2d_marks(artist)
    if isinstance(artist, PathCollection):
        faces = _visible_colors(artist.get_facecolors())
        edges = _visible_colors(artist.get_edgecolors()) if np.any(
            np.asarray(artist.get_linewidths()) > 0) else frozenset()
        paths = artist.get_paths()
        key = _path_key(paths[0]) if len(paths) else None
        return [Mark("marker", faces | edges, marker=key, filled=bool(faces))]
    if isinstance(artist, LineCollection):
        styles = artist.get_linestyles()
        solid = all(dashes is None for _, dashes in styles) if len(styles) else True
        return [Mark("line", _visible_colors(artist.get_edgecolors()),
                     linestyle="-" if solid else _ANY_DASHES)]
    if isinstance(artist, Collection):
        edges = _visible_colors(artist.get_edgecolors()) if np.any(
            np.asarray(artist.get_linewidths()) > 0) else frozenset()
        return [Mark("area", _visible_colors(artist.get_facecolors()) | edges)]
    if isinstance(artist, Patch):
        edge = _visible_colors(artist.get_edgecolor()) if artist.get_linewidth() > 0 else frozenset()
        if artist.get_fill():
            return [Mark("area", _visible_colors(artist.get_facecolor()) | edge)]
        return [Mark("line", edge, linestyle=artist.get_linestyle())]
    return []


def _line2d_marks(line: Line2D) -> list[Mark]:
    marks = []
    if line.get_linestyle() not in _NO_STYLE and line.get_linewidth() > 0:
        marks.append(Mark("line", _visible_colors(mcolors.to_rgba(line.get_color())),
                          linestyle=line.get_linestyle()))
    marker = line.get_marker()
    if marker not in _NO_STYLE:
        face = _visible_colors(mcolors.to_rgba(line.get_markerfacecolor()))
        if line.get_fillstyle() == "none":
            face = frozenset()
        edge = _visible_colors(mcolors.to_rgba(line.get_markeredgecolor())) if (
            line.get_markeredgewidth() > 0) else frozenset()
        # Markers drawn as strokes only ('x', '+', '|') are neither filled nor hollow.
        filled = bool(face) if MarkerStyle(marker).is_filled() else None
        marks.append(Mark("marker", face | edge, marker=_marker_key(marker), filled=filled,
                          symbol=str(marker)))
    return marks


def _requirements(handle) -> list[Mark]:
    """What a legend handle asks to be drawn: its marks, each with its one telling colour
    (line colour; face colour of a filled marker or patch, edge colour of a hollow one)."""
    required = []
    for mark in _marks(handle):
        if mark.kind == "marker" and isinstance(handle, Line2D):
            color = handle.get_markerfacecolor() if mark.filled else handle.get_markeredgecolor()
            colors = frozenset({_hex(color)})
        elif mark.kind == "marker":
            faces, edges = handle.get_facecolors(), handle.get_edgecolors()
            source = faces if mark.filled else edges
            colors = frozenset({_hex(source[0])}) if len(source) else mark.colors
        elif mark.kind == "area" and isinstance(handle, Patch):
            colors = _visible_colors(handle.get_facecolor()) or mark.colors
        else:
            colors = mark.colors
        required.append(Mark(mark.kind, colors, mark.linestyle, mark.marker, mark.filled,
                             mark.symbol))
    return required


def _satisfies(requirements: list[Mark], marks: list[Mark]) -> bool:
    """Does one drawn artist (its ``marks``) show everything an entry requires?"""
    return all(any(_meets(need, mark) for mark in marks) for need in requirements)


def _meets(need: Mark, mark: Mark) -> bool:
    if need.kind == "line":
        if mark.kind != "line" or not _same_linestyle(need.linestyle, mark.linestyle):
            return False
    elif need.kind == "marker":
        if mark.kind != "marker" or mark.marker != need.marker:
            return False
        if None not in (need.filled, mark.filled) and need.filled != mark.filled:
            return False
    return any(_is_neutral(c) for c in need.colors) or bool(need.colors & mark.colors)


def _same_linestyle(a, b) -> bool:
    if a == b:
        return True
    return _ANY_DASHES in (a, b) and "-" not in (a, b)


def _describe(requirements: list[Mark]) -> str:
    parts = []
    for need in requirements:
        colors = "/".join(sorted(need.colors)) or "no colour"
        if need.kind == "line":
            parts.append(f"line {need.linestyle!r} {colors}")
        elif need.kind == "marker":
            fill = {True: "filled ", False: "hollow ", None: ""}[need.filled]
            symbol = f" {need.symbol!r}" if need.symbol else ""
            parts.append(f"{fill}marker{symbol} {colors}")
        else:
            parts.append(f"area {colors}")
    return ", ".join(parts)


def _kind(artist) -> str:
    names = {"Line2D": "line", "Line3D": "line", "PathCollection": "scatter",
             "Path3DCollection": "scatter", "LineCollection": "lines",
             "PolyCollection": "filled area", "FillBetweenPolyCollection": "filled area",
             "ErrorbarContainer": "error bars", "BarContainer": "bars", "StepPatch": "steps",
             "Quiver": "arrows"}
    return names.get(type(artist).__name__, type(artist).__name__)


def _user_label(label: str) -> bool:
    return bool(label) and not label.startswith("_")


# ----------------------------------------------------------------------------- (c)


def _missing_colors(drawn: list[Drawn], entries: list[Entry]) -> list[str]:
    """Check (c): colours left out of a family of lines that a legend explains by colour.

    The legends of an axes are its own and the figure legends: another panel's legend may
    use the same colours for something else (tab10 in every panel).
    """
    texts = {entry.text for entry in entries}
    families: dict[tuple, list[Drawn]] = {}
    for item in drawn:
        if item.family is not None:
            families.setdefault((item.where, item.family), []).append(item)
    messages = []
    for (where, _), members in families.items():
        mine = [e for e in entries if e.axes in (where, None)]
        by_color: dict[str, list[str]] = {}
        for entry in mine:
            for color in {c for need in entry.requirements for c in need.colors}:
                if not _is_neutral(color):
                    by_color.setdefault(color, []).append(entry.text)
        for item in drawn:  # labelled artists in the legend explain their colour too
            if (item.where == where and item.color is not None and item.label in texts
                    and not _is_neutral(item.color)):
                by_color.setdefault(item.color, []).append(item.label)
        explained = sorted({m.color for m in members if m.color in by_color})
        left_out = [m for m in members if m.color not in by_color
                    and not _is_neutral(m.color) and not _user_label(m.label)]
        if explained and left_out:
            named = list(dict.fromkeys(t for c in explained for t in by_color[c]))
            order = {entry.text: k for k, entry in enumerate(mine)}
            named.sort(key=lambda t: order.get(t, len(order)))
            listed = ", ".join(quote(t) for t in named[:6]) + (", …" if len(named) > 6 else "")
            missing = ", ".join(sorted({m.color for m in left_out}))
            messages.append(
                f"legend: {len(left_out)} line(s) in {where} in colour(s) {missing} are drawn "
                f"like lines the legend explains by colour ({listed}) but have no entry")
    return messages
