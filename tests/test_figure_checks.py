"""Tests for rnnlab.plotting.checks (layout defects of figures) and rnnlab.plotting.captions.

Each planted figure has one defect that the checker must report, naming the text or label
involved; the clean reference figure must give no message. A check that passes on a planted
defect is a defect of the check.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.lines import Line2D
from matplotlib.text import Text

from rnnlab.plotting.captions import caption_problems, render_caption
from rnnlab.plotting.checks import allow_over_data, figure_defects
from rnnlab.plotting.style import new_figure, save_figure, style_context

X = np.linspace(0.0, 1.0, 20)


def _figure(width=4.0, height=3.0):
    figure = new_figure(width, height)
    return figure, figure.add_subplot(1, 1, 1)


def clean():
    """Two lines in a figure legend, labelled axes, a labelled scatter explained by its
    colour bar (not by the legend)."""
    with style_context():
        figure, ax = _figure(5.0, 3.2)
        (square,) = ax.plot(X, X**2, label="square")
        (line,) = ax.plot(X, 0.2 + 0.1 * X, linestyle="--", label="line")
        points = ax.scatter(X, 1 - X, c=X, s=8, cmap="viridis", label="samples")
        figure.colorbar(points, ax=ax, label="time (s)")
        ax.set_xlabel("x (a.u.)")
        ax.set_ylabel("response")
        figure.legend(handles=[square, line], loc="outside upper center", ncol=2)
    return figure


def rotated_ticks():
    """Long tick labels at 45°: their axis-aligned boxes overlap, the labels do not."""
    with style_context():
        figure, ax = _figure(5.0, 3.0)
        ax.plot(range(10), range(10))
        ax.set_xticks(range(10), [f"checkpoint {1000 * k:,}" for k in range(10)], rotation=45,
                      ha="right", rotation_mode="anchor")
    return figure


def patch_proxies(drawn: bool):
    from matplotlib.patches import Patch

    with style_context():
        figure, ax = _figure()
        ax.plot(X, X, color="k", label="mean")
        if drawn:
            ax.fill_between(X, X - 0.1, X + 0.1, color="#CC79A7", alpha=0.3, linewidth=0)
        ax.legend(handles=[ax.lines[0], Patch(facecolor="#CC79A7", label="95% CI")],
                  loc="upper left")
    return figure


def overlapping_texts():
    with style_context():
        figure, ax = _figure()
        ax.text(0.3, 0.5, "first note", transform=ax.transAxes)
        ax.text(0.35, 0.52, "second note", transform=ax.transAxes)
    return figure


def label_over_ticks():
    with style_context():
        figure, ax = _figure()
        ax.plot(X, 1000 * X)
        ax.set_ylabel("firing rate", labelpad=-22)  # pulled into its tick labels
    return figure


def off_canvas():
    with style_context():
        figure, ax = _figure()
        ax.plot(X, X)
        figure.text(0.93, 0.5, "cut at the edge")
    return figure


def unlisted_line():
    with style_context():
        figure, ax = _figure()
        ax.plot(X, X, label="orphan")
    return figure


def proxy_without_data():
    with style_context():
        figure, ax = _figure()
        (line,) = ax.plot(X, X, color="#0072B2", label="trajectory")
        ax.legend(handles=[
            line,
            Line2D([], [], color="#E69F00", marker="o", label="continuous"),
            Line2D([], [], color="k", marker="x", linestyle="none", label="slow point"),
        ], loc="upper left")
    return figure


def dropped_labelled_line():
    with style_context():
        figure, ax = _figure(5.0, 3.0)
        handles = [ax.plot(X, X + k, label=f"condition {k + 1}")[0] for k in range(7)]
        ax.legend(handles=handles[:6], loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def dropped_colour():
    """Unlabelled lines explained by colour proxies, one colour of 7 left out."""
    with style_context():
        figure, ax = _figure(5.0, 3.0)
        colours = [f"C{k}" for k in range(7)]
        for k, colour in enumerate(colours):
            ax.plot(X, X + k, color=colour, linewidth=0.6)
        proxies = [Line2D([], [], color=c, label=f"condition {k + 1}")
                   for k, c in enumerate(colours)]
        ax.legend(handles=proxies[:6], loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def tiny_font():
    with style_context():
        figure, ax = _figure()
        ax.plot(X, X)
        ax.set_title("tiny title", fontsize=5)
    return figure


def note_over_line(opt_out: bool = False):
    with style_context():
        figure, ax = _figure()
        ax.plot([0.0, 1.0], [0.0, 1.0])  # two points: the note sits between them
        note = ax.text(0.5, 0.5, "boxed note", ha="center", va="center",
                       bbox=dict(facecolor="white", edgecolor="none"))
        if opt_out:
            allow_over_data(note)
    return figure


def axis3d_label_into_ticks():
    with style_context():
        figure = new_figure(4.0, 3.5)
        ax = figure.add_subplot(1, 1, 1, projection="3d")
        t = np.linspace(0, 4 * np.pi, 100)
        ax.plot(np.cos(t), np.sin(t), t)
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-1, 0, 1])
        ax.set_xlabel("PC1")
        ax.set_ylabel("PC2")
        ax.set_zlabel("depth", labelpad=-10)  # pulled into the z tick labels
    return figure


PLANTED = {
    # name: (figure, [substrings that one message must all contain])
    "overlapping_texts": (overlapping_texts, ["overlap:", "'first note'", "'second note'"]),
    "label_over_ticks": (label_over_ticks, ["overlap:", "y tick label", "'firing rate'"]),
    "off_canvas": (off_canvas, ["off canvas:", "'cut at the edge'", "right edge"]),
    "unlisted_line": (unlisted_line, ["legend:", "'orphan'", "no legend entry"]),
    "proxy_continuous": (proxy_without_data, ["legend:", "'continuous'", "nothing drawn"]),
    "proxy_slow_point": (proxy_without_data, ["legend:", "'slow point'", "nothing drawn"]),
    "dropped_labelled_line": (dropped_labelled_line, ["legend:", "'condition 7'",
                                                      "no legend entry"]),
    "dropped_colour": (dropped_colour, ["legend:", "#e377c2", "no entry"]),
    "tiny_font": (tiny_font, ["small font:", "5 pt", "'tiny title'"]),
    "note_over_line": (note_over_line, ["over data:", "'boxed note'", "line"]),
    "axis3d_label": (axis3d_label_into_ticks, ["overlap:", "z tick label", "'depth'",
                                               "3-D axes"]),
}


def test_clean_figure_has_no_defects():
    assert figure_defects(clean()) == []


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_defect_is_reported(name):
    build, expected = PLANTED[name]
    defects = figure_defects(build())
    assert any(all(part in message for part in expected) for message in defects), defects


def test_planted_defects_report_nothing_else():
    # The proxy figure's real line is in its legend; only the two empty entries are wrong.
    defects = figure_defects(proxy_without_data())
    assert len(defects) == 2 and not any("'trajectory'" in d for d in defects), defects
    defects = figure_defects(dropped_labelled_line())
    assert len(defects) == 1, defects


def test_rotated_tick_labels_are_judged_by_their_own_boxes():
    assert figure_defects(rotated_ticks()) == []


def test_patch_proxy_needs_an_area_of_its_colour():
    assert figure_defects(patch_proxies(drawn=True)) == []
    (message,) = figure_defects(patch_proxies(drawn=False))
    assert "'95% CI'" in message and "nothing drawn" in message


def test_opt_out_marks_one_text_as_meant_to_sit_on_data():
    assert figure_defects(note_over_line(opt_out=True)) == []


def test_minimum_font_size_is_a_parameter():
    assert not any("small font" in d for d in figure_defects(tiny_font(), min_font_pt=4.0))


def test_figure_without_agg_canvas_is_refused():
    from matplotlib.figure import Figure

    with pytest.raises(TypeError, match="Agg canvas"):
        figure_defects(Figure())


def test_checking_leaves_the_saved_file_unchanged(tmp_path):
    for build in (clean, axis3d_label_into_ticks):
        plain = save_figure(build(), tmp_path / "plain.png").read_bytes()
        figure = build()
        dpi = figure.dpi
        figure_defects(figure)
        assert figure.dpi == dpi and Text.draw.__name__ == "draw"
        checked = save_figure(figure, tmp_path / "checked.png").read_bytes()
        assert plain == checked, build.__name__


# ----------------------------------------------------------------------------- captions

CONFIG = {"studies": {"ei_modcog": {"seeds": [1, 2], "fixed_point_sweep": {
    "motif_tolerance": 0.02}}}}


def test_caption_template_sees_config_and_wildcards():
    template = (
        '{% set f = snakemake.config["studies"]["ei_modcog"]["fixed_point_sweep"] %}\n'
        "**Fixed points.** {{ snakemake.config['studies']['ei_modcog']['seeds'] | length }} "
        "seeds, tolerance {{ f['motif_tolerance'] }}, run {{ snakemake.wildcards.run }}.\n"
    )
    text = render_caption(template, CONFIG, wildcards={"run": "eg"})
    assert text.startswith("**Fixed points.** 2 seeds, tolerance 0.02, run eg.")
    assert caption_problems(text) == []


def test_bars_around_lambda_are_an_undefined_substitution():
    # The sentence of report/ei_modcog/fixed_point_motifs.rst that shows a
    # "Docutils System Messages" block in the report.
    template = ("motif from the eigenvalues of the Jacobian: stable (all |λ| < 1 − "
                "{{ snakemake.config['studies']['ei_modcog']['fixed_point_sweep']"
                "['motif_tolerance'] }}), continuous (some\n|λ| within 0.02 of 1).\n")
    problems = caption_problems(render_caption(template, CONFIG))
    assert problems and all("Undefined substitution referenced" in p for p in problems)
    assert [p.split(":")[0] for p in problems] == ["line 1", "line 2"]


@pytest.mark.parametrize("written", [r"all \|λ\| < 1", r"all :math:`|\lambda|` < 1"])
def test_escaped_bars_or_math_are_fine(written):
    assert caption_problems(render_caption(written + "\n", CONFIG)) == []


def test_other_restructuredtext_problems_are_reported():
    assert any("Unknown target name" in p for p in caption_problems("see `nowhere`_\n"))
    assert caption_problems(render_caption("Links to the Workflow_ panel resolve.\n", {})) == []
