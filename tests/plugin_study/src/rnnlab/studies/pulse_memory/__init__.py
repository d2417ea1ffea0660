"""A tiny study that plugs into the workflow from tests/: remember a pulse's amplitude."""
