"""The workflow scripts' shared end (``workflow_scripts/script_setup.finish``): a job leaves
without Python's teardown, and loses nothing it wrote on the way."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "workflow_scripts"

JOB = """
import atexit, logging, sys
from types import SimpleNamespace
sys.path.insert(0, {scripts!r})
from script_setup import finish, start
start(SimpleNamespace(log=[{log!r}], scriptdir={scripts!r}, threads=1))
atexit.register(lambda: print("TEARDOWN RAN"))
logging.getLogger("job").info("logged line")
print("printed line")  # after the log line: logging flushes its own records, print does not
with open({output!r}, "w") as handle:
    handle.write("table")
{end}
print("AFTER FINISH")
"""


def run_job(tmp_path, end: str):
    log, output = tmp_path / "job.log", tmp_path / "out.txt"
    code = JOB.format(scripts=str(SCRIPTS), log=str(log), output=str(output), end=end)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return result, log.read_text(), output


def test_finish_flushes_the_log_keeps_outputs_and_skips_teardown(tmp_path):
    result, log, output = run_job(tmp_path, "finish()")
    assert result.returncode == 0, result.stderr
    # Both lines sat in the log file's buffer: without the flush they are lost (below).
    assert "printed line" in log and "logged line" in log
    assert output.read_text() == "table"
    # Nothing runs after it: neither the script's next line nor the interpreter's teardown.
    assert "AFTER FINISH" not in log and "TEARDOWN RAN" not in log


def test_leaving_without_the_flush_would_lose_the_log(tmp_path):
    # What finish() guards against: os._exit alone drops the log file's buffered lines.
    result, log, _ = run_job(tmp_path, "import os; os._exit(0)")
    assert result.returncode == 0
    assert "printed line" not in log


def test_a_failing_job_exits_normally_with_its_traceback(tmp_path):
    result, log, _ = run_job(tmp_path, "raise RuntimeError('stage failed')\nfinish()")
    assert result.returncode != 0
    assert "printed line" in log and "RuntimeError: stage failed" in log
    assert "TEARDOWN RAN" in log


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.py")
                                          if p.name != "script_setup.py"))
def test_every_workflow_script_ends_with_finish(script):
    body = ast.parse((SCRIPTS / script).read_text()).body
    last = body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) \
        and getattr(last.value.func, "id", None) == "finish", \
        f"{script} must end with finish() (script_setup: a job's end without teardown)"
