"""Code fingerprints: a hash of the library modules a job runs, for its ``params:``.

Snakemake reruns a job when its script file changes, but not when a module the script imports
changes. Each job therefore gets, as a param, a hash of the rnnlab modules its entry points import
(transitively, read from their absolute ``import`` statements): editing a plotting function
reruns figures only; editing the model reruns training and everything downstream.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path


class CodeFingerprints:
    """Fingerprints of modules under ``source_root`` (the directory holding ``rnnlab/``); every
    fingerprint also covers ``extra_files`` (e.g. the helper every workflow script runs)."""

    def __init__(self, source_root: str | Path, extra_files: tuple[str | Path, ...] = ()):
        self.source_root = Path(source_root)
        self.extra_files = tuple(Path(f) for f in extra_files)

    @functools.cache
    def module_file(self, module: str) -> Path | None:
        base = self.source_root.joinpath(*module.split("."))
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                return candidate
        return None

    @functools.cache
    def _imports(self, path: Path) -> tuple[str, ...]:
        names = []
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.append(node.module)
                names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        return tuple(names)

    def modules(self, *entry_points: str) -> dict[str, Path]:
        """{module: file} of ``entry_points`` and every rnnlab module they import, transitively
        (a module's packages included: importing it runs their ``__init__``). Names that are
        not modules (imported functions, absent optional modules) are skipped."""
        files: dict[str, Path] = {}
        pending = list(entry_points)
        while pending:
            parts = pending.pop().split(".")
            if parts[0] != "rnnlab":
                continue
            for depth in range(1, len(parts) + 1):
                name = ".".join(parts[:depth])
                path = self.module_file(name)
                if path is not None and name not in files:
                    files[name] = path
                    pending.extend(self._imports(path))
        return files

    def __call__(self, *entry_points: str) -> str:
        """A 16-hex-digit hash of the modules' names and contents and of the extra files."""
        digest = hashlib.sha256()
        for extra in self.extra_files:
            digest.update(extra.read_bytes())
        files = self.modules(*entry_points)
        for name in sorted(files):
            digest.update(name.encode() + files[name].read_bytes())
        return digest.hexdigest()[:16]
