"""The shared look of every figure (``style``) and the checks a thesis figure must pass.

Nothing in this package imports torch: figure jobs only need numpy, pandas, matplotlib (Agg
canvas, no pyplot state) and ``rnnlab.tables``. ``style`` holds the shared look (colours per
population and fixed-point motif; mean ± CI drawing; bit-reproducible ``save_figure``). Each
study draws its figures in ``rnnlab.studies.<study>.figures``. ``checks`` finds the layout
defects of a figure as it will be printed (overlapping or cut texts, legends that do not match
the plot, small fonts, texts over data; helped by ``figure_parts``, ``legend_checks`` and
``data_checks``); ``captions`` renders report captions as Snakemake does and lists their
reStructuredText problems.
"""
