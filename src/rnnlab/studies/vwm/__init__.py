"""Visual working memory (seed 002, derek1909/vwm_rnn): Dale 50/50 rate networks with spike
noise remember 1–10 orientations; error distributions, mixture fits, SNR, population codes and
fixed points against human data."""
