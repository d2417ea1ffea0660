"""Names for the parts of a drawn figure, so that a defect message says where to look.

A message such as "overlap: '0.5' (z tick label of 3-D axes 2 'CDDM: PC1–PC3') and 'PC3'
(z-axis label of 3-D axes 2 ...)" can be acted on without opening a debugger: it names the
text, what the text is (title, tick label, legend entry, ...) and the panel it belongs to
(its index in ``figure.axes``, counted from 1, and its title).

Also here: ``DrawnText``, the geometry of one text as it was drawn (display pixels at the
save dpi), shared by the text, legend and data checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.legend import Legend
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox


@dataclass
class DrawnText:
    """One non-empty visible text as drawn, in display pixels.

    ``extent``: axis-aligned box of the text (without its bbox patch). ``corners``: the four
    corners of the text's own (possibly rotated) box, so that rotated tick labels are not
    taken for their much larger axis-aligned box, less the white space the font keeps for
    descenders when the text has none (see ``rnnlab.plotting.checks``). ``patch``: extent of the text's bbox patch
    (``ax.text(..., bbox=...)``), None without one. ``role``: from ``text_roles``.
    """

    text: Text
    string: str
    extent: Bbox
    corners: np.ndarray
    patch: Bbox | None
    fontsize: float
    role: str = "text"

    @property
    def name(self) -> str:
        return f"{quote(self.string)} ({self.role})"


def quote(string: str, limit: int = 40) -> str:
    """A text as it appears in a message: quoted, on one line, shortened when long."""
    flat = " ".join(str(string).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return f"'{flat}'"


def all_axes(figure: Figure | SubFigure) -> list[Axes]:
    """Every Axes of the figure, those of subfigures included, in drawing order."""
    axes = list(figure.axes)
    for sub in getattr(figure, "subfigs", []):
        axes += all_axes(sub)
    return axes


def all_figures(figure: Figure | SubFigure) -> list[Figure | SubFigure]:
    """The figure and its subfigures (they hold their own texts and legends)."""
    found = [figure]
    for sub in getattr(figure, "subfigs", []):
        found += all_figures(sub)
    return found


def is_colorbar(ax: Axes) -> bool:
    return hasattr(ax, "_colorbar") or ax.get_label() == "<colorbar>"


def axes_names(figure: Figure) -> dict[int, str]:
    """id(axes) -> "axes 2 'input: go'", "3-D axes 4 '...'", "colour bar 'direction (rad)'"."""
    names = {}
    for index, ax in enumerate(all_axes(figure), start=1):
        if is_colorbar(ax):
            colorbar = getattr(ax, "_colorbar", None)
            label = colorbar.long_axis.label.get_text() if colorbar is not None else ""
            names[id(ax)] = f"colour bar {quote(label)}" if label else f"colour bar (axes {index})"
            continue
        kind = "3-D axes" if ax.name == "3d" else "axes"
        title = next((t for t in _titles(ax) if t.get_text()), None)
        names[id(ax)] = f"{kind} {index}" + (f" {quote(title.get_text())}" if title else "")
    return names


def _titles(ax: Axes) -> list[Text]:
    return [t for t in (ax.title, getattr(ax, "_left_title", None),
                        getattr(ax, "_right_title", None)) if t is not None]


def _axis_items(ax: Axes):
    """(letter, Axis) of an axes: x and y, and z for 3-D axes."""
    for letter in ("x", "y", "z"):
        axis = getattr(ax, f"{letter}axis", None)
        if axis is not None:
            yield letter, axis


def _legend_roles(legend: Legend, owner: str, roles: dict[int, str]) -> None:
    for text in legend.get_texts():
        roles[id(text)] = f"legend entry of {owner}"
    roles[id(legend.get_title())] = f"legend title of {owner}"


def text_roles(figure: Figure) -> dict[int, str]:
    """id(Text) -> what the text is and where, e.g. "x tick label of axes 1 'loss'".

    Built after drawing, because tick labels are created while the figure is drawn.
    """
    names = axes_names(figure)
    roles: dict[int, str] = {}
    for ax in all_axes(figure):
        owner = names[id(ax)]
        colorbar = is_colorbar(ax)
        for title in _titles(ax):
            roles[id(title)] = f"title of {owner}"
        for letter, axis in _axis_items(ax):
            prefix = "" if colorbar else f"{letter} "
            axis_word = "label" if colorbar else f"{letter}-axis label"
            roles[id(axis.label)] = f"{axis_word} of {owner}"
            roles[id(axis.offsetText)] = f"{prefix}offset text of {owner}"
            for tick in list(axis.majorTicks) + list(axis.minorTicks):
                for label in (tick.label1, tick.label2):
                    roles[id(label)] = f"{prefix}tick label of {owner}"
        for text in ax.texts:
            kind = "annotation" if isinstance(text, Annotation) else "text"
            roles[id(text)] = f"{kind} in {owner}"
        legend = ax.get_legend()
        if legend is not None:
            _legend_roles(legend, owner, roles)
        for table in ax.tables:
            for cell in table.get_celld().values():
                roles[id(cell.get_text())] = f"table cell in {owner}"
    for fig in all_figures(figure):
        where = "figure" if fig is figure else "subfigure"
        for attribute, kind in (("_suptitle", "suptitle"), ("_supxlabel", "supxlabel"),
                                ("_supylabel", "supylabel")):
            text = getattr(fig, attribute, None)
            if text is not None:
                roles[id(text)] = f"{where} {kind}"
        for text in fig.texts:
            roles[id(text)] = f"{where} text"
        for legend in fig.legends:
            _legend_roles(legend, f"{where} legend", roles)
    # "legend entry of figure legend" reads badly: shorten.
    return {k: v.replace("of figure legend", "of the figure legend") for k, v in roles.items()}


def owner_axes(figure: Figure) -> dict[int, Axes]:
    """id(Text or Legend) -> the Axes it was added to (ax.text, annotations, axes legends)."""
    owners: dict[int, Axes] = {}
    for ax in all_axes(figure):
        for text in ax.texts:
            owners[id(text)] = ax
        legend = ax.get_legend()
        if legend is not None:
            owners[id(legend)] = ax
    return owners
