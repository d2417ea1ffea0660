"""The shared look of every figure (``style``) and the checks a thesis figure must pass.

Nothing in this package imports torch: figure jobs only need numpy, pandas, matplotlib (Agg
canvas, no pyplot state) and ``rnnlab.tables``. ``style`` holds the shared look (colours per
population and fixed-point motif; mean ± CI drawing; bit-reproducible ``save_figure``). Each
study draws its figures in ``rnnlab.studies.<study>.figures``.
"""
