"""Thesis figures drawn from the aggregate (``statistic``) and per-network Parquet tables.

Nothing in this package imports torch: figure jobs only need numpy, pandas, matplotlib (Agg
canvas, no pyplot state) and ``rnnlab.tables``. ``style`` holds the shared look (colours per
run, population and fixed-point motif; mean ± CI drawing; bit-reproducible ``save_figure``);
one module per study draws its figures (``ei_modcog``, ``ctrnn_zoo``). ``checks`` finds the
layout defects of a figure as it will be printed (overlapping or cut texts, legends that do
not match the plot, small fonts, texts over data; helped by ``figure_parts``,
``legend_checks`` and ``data_checks``); ``captions`` renders report captions as Snakemake
does and lists their reStructuredText problems.
"""
