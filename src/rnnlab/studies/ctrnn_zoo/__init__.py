"""The CTRNN task zoo (seed 004): five tasks, their performance, the cddm psychometric
surface, exact and slow fixed points of the flow, and line, ring and flip-flop attractors."""
