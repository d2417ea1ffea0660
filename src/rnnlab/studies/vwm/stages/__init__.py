"""The vwm study's own stages: final network in, {table name: DataFrame} out.

- ``behaviour``: report errors per set size, their circular statistics, the mixture fits, SNR;
- ``population``: E/I input statistics, mixed selectivity, divisive normalisation, Dale signs;
- ``fixed_points``: fixed and slow points of the noise-free map at the periods' real inputs.
"""
