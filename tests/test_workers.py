"""Worker processes and Ctrl-C: the main process is interrupted, forked children leave quietly."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and fork")

SCRIPT = r"""
import json, multiprocessing, os, signal, sys, time
from newsindex.index.workers import ctrl_c_in_main_process_only

# A shell's background job starts with SIGINT ignored, and Python keeps it so: start
# from Python's own handler, which the context manager must give back.
signal.signal(signal.SIGINT, signal.default_int_handler)

def child():
    time.sleep(30)

ctx = multiprocessing.get_context("fork")
outcome = {}
with ctrl_c_in_main_process_only(130):
    proc = ctx.Process(target=child)
    proc.start()
    time.sleep(0.5)
    try:
        os.killpg(os.getpgrp(), signal.SIGINT)  # what a terminal's Ctrl-C does
        time.sleep(5)
        outcome["main"] = "not interrupted"
    except KeyboardInterrupt:
        outcome["main"] = "KeyboardInterrupt"
proc.join(10)
outcome["child"] = proc.exitcode
outcome["restored"] = signal.getsignal(signal.SIGINT) is signal.default_int_handler
print(json.dumps(outcome))
"""


@pytest.mark.slow
def test_ctrl_c_interrupts_the_main_process_and_children_exit_quietly() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, start_new_session=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"main": "KeyboardInterrupt", "child": 130, "restored": True}
    assert "Traceback" not in done.stderr  # the child left without one
