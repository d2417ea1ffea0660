"""Report captions rendered as Snakemake's report renders them, and their reStructuredText
problems.

A caption file given as ``report(..., caption="x.rst")`` goes through two steps in
Snakemake 9 (``snakemake/report/__init__.py``, ``FileRecord.render``):

1. Jinja2: ``Environment(trim_blocks=True, lstrip_blocks=True)`` with the default
   (lenient) ``Undefined``, on the caption text followed by a block of link targets
   (``Workflow``, ``Statistics``, one per category and per result file); the template sees
   ``snakemake`` (a ``snakemake.iocontainers.Snakemake`` of the job: ``config``,
   ``wildcards``, ``input``, ``output``, ``params``, ``threads``, ``resources``, ``log``,
   ``rule``), ``categories`` and ``files``.
2. docutils: ``publish_parts(text, writer_name="html")["body"]`` with default settings, so
   every system message of level WARNING or above is written into the caption, in a
   "Docutils System Messages" block (e.g. ``|λ|`` is a substitution reference: "Undefined
   substitution referenced"); a SEVERE one fails the report.

``render_caption`` mirrors step 1 (without categories and result files, which only exist
while a report is built) and ``caption_problems`` step 2, so tests can assert that every
caption renders to clean reStructuredText.
"""

from __future__ import annotations

import re
import textwrap
from types import SimpleNamespace

from docutils.core import publish_parts
from jinja2 import Environment

# Link targets Snakemake appends to each caption before rendering it (same template).
REPORT_LINKS = textwrap.dedent("""

    .. _Workflow: javascript:show_panel('workflow')
    .. _Statistics: javascript:show_panel('statistics')
    {% for cat, catresults in categories|dictsort %}
    .. _{{ cat.name }}: javascript:app.showCategory('{{ cat.name|urlencode }}')
    {% endfor %}
    {% for res in files %}
    .. _{{ res.target }}: javascript:app.showResultInfo('{{ res.path|urlencode }}')
    {% endfor %}
    """)

_UNDEFINED = re.compile(r'Undefined substitution referenced: "(.*)"\.$')
_MESSAGE = re.compile(r"^(?P<source>.*?):(?P<line>\d*): \((?P<level>[A-Z]+)/\d\) (?P<text>.*)$",
                      re.DOTALL)


def render_caption(template_text: str, config: dict, *, wildcards: dict | None = None,
                   rule: str = "") -> str:
    """The reStructuredText Snakemake's report makes of a caption template.

    ``config``: the workflow configuration (``snakemake.config``; Snakemake passes it after
    schema validation, with defaults filled in). ``wildcards``: the job's wildcards, read as
    ``snakemake.wildcards.name`` or ``snakemake.wildcards["name"]``. Undefined names render
    as empty text, as in Snakemake.
    """
    snakemake = SimpleNamespace(
        config=config, wildcards=dict(wildcards or {}), input=[], output=[], params={},
        threads=1, resources={}, log=[], rule=rule, bench_iteration=None, scriptdir=None,
    )
    environment = Environment(trim_blocks=True, lstrip_blocks=True)
    return environment.from_string(template_text + REPORT_LINKS).render(
        snakemake=snakemake, categories={}, files=[]
    )


class _Messages:
    """A docutils warning stream that keeps each system message as one string."""

    def __init__(self):
        self.items: list[str] = []

    def write(self, text: str) -> None:
        self.items.append(text)

    def flush(self) -> None:
        pass


def caption_problems(rst_text: str) -> list[str]:
    """The docutils system messages (warnings and errors) of a rendered caption.

    Each message reads "line N: ERROR: ..." with N counted in ``rst_text`` (the rendered
    caption: Jinja's ``{% ... %}`` lines are gone). docutils gives the first line of the
    paragraph for an undefined substitution; the line of the ``|name|`` itself is given
    instead. [] means the caption renders without a "Docutils System Messages" block.
    """
    stream = _Messages()
    # As Snakemake (html writer, default report level WARNING), but messages are collected
    # instead of printed and a SEVERE one is reported instead of raised.
    publish_parts(rst_text, writer="html",
                  settings_overrides={"warning_stream": stream, "halt_level": 5,
                                      "report_level": 2})
    lines = rst_text.splitlines()
    problems = []
    for item in stream.items:
        match = _MESSAGE.match(item.strip())
        if match is None:
            problems.append(item.strip())
            continue
        text, line = match["text"].strip(), match["line"]
        name = _UNDEFINED.match(text)
        if name is not None:  # the k-th message of a name is its k-th use
            uses = [n for n, row in enumerate(lines, 1) if f"|{name[1]}|" in row]
            earlier = sum(p.endswith(text) for p in problems)
            line = str(uses[earlier]) if earlier < len(uses) else line
        problems.append(f"line {line}: {match['level']}: {text}" if line
                        else f"{match['level']}: {text}")
    return problems
