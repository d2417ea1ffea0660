"""Losses, Dale-respecting optimisers and the seeded training loop."""
