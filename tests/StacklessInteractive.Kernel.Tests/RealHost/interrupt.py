"""Interrupts a runaway #!run through a real Jupyter client and checks that the kernel survives with its state.

Usage (from the repository root, after scripts/pack.sh and with JUPYTER_PATH from scripts/setup-jupyter.sh):
    /usr/bin/python3 tests/StacklessInteractive.Kernel.Tests/RealHost/interrupt.py KERNELSPEC FEED_FOLDER
Starts KERNELSPEC with jupyter_client's KernelManager, loads the extension from FEED_FOLDER, spawns a tasklet whose
body never yields, runs it with `#!run --timeout 0` (no budget), sends interrupt_request (or SIGINT, as the
kernelspec's interrupt_mode says), and then asks the kernel for a variable made before. Prints one JSON object:
what the interrupted cell replied and showed, and what the later cell returned. Exits 0 when the kernel answered.
"""
import json
import re
import sys
import time

from jupyter_client.manager import KernelManager

spec, feed = sys.argv[1], sys.argv[2]
km = KernelManager(kernel_name=spec)
km.start_kernel()
kc = km.client()
kc.start_channels()
result = {"kernelspec": spec, "interrupt_mode": km.kernel_spec.interrupt_mode}


def notes(texts):
    """The summary lines (<p class="sl-note">) of a run's outputs."""
    return [m for t in texts for m in re.findall(r'<p class="sl-note">(.*?)</p>', t)]


def execute(code, timeout):
    """Runs a cell; returns (reply content, text outputs, error outputs)."""
    msg_id = kc.execute(code)
    return collect(msg_id, timeout)


def collect(msg_id, timeout):
    texts, errors = [], []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, texts, errors
        try:
            msg = kc.get_iopub_msg(timeout=left)
        except Exception:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind in ("display_data", "execute_result"):
            texts.append(content["data"].get("text/html") or content["data"].get("text/plain", ""))
        elif kind == "stream":
            texts.append(content["text"])
        elif kind == "error":
            errors.append(content["ename"] + ": " + content["evalue"])
        elif kind == "status" and content["execution_state"] == "idle":
            reply = kc.get_shell_msg(timeout=10)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = kc.get_shell_msg(timeout=10)
            return reply["content"], texts, errors


try:
    kc.wait_for_ready(timeout=120)
    load = ('#i "nuget: %s"\n#r "nuget: StacklessInteractive.Kernel, *-*"' % feed)
    reply, _, errors = execute(load, 300)
    result["load"] = reply and reply["status"], errors
    reply, _, errors = execute('using StacklessInteractive;\nlong spins = 0;\nvar kept = "kept " + 42;', 120)
    result["setup"] = reply and reply["status"], errors
    reply, _, errors = execute("#!tasklet --name spinner\nwhile (true) { spins++; }", 120)
    result["tasklet"] = reply and reply["status"], errors
    run_id = kc.execute("#!run --timeout 0")
    time.sleep(5)  # the run is under way and the spinner spins
    km.interrupt_kernel()
    reply, texts, errors = collect(run_id, 90)
    result["run_reply"] = reply and reply["status"]
    result["run_notes"] = notes(texts)
    result["run_errors"] = errors
    result["alive_after_interrupt"] = km.is_alive()
    reply, texts, errors = execute('kept + ", spins > 0: " + (spins > 0)', 60)
    result["later_reply"] = reply and reply["status"]
    result["later"] = texts
    result["later_errors"] = errors
    reply, texts, errors = execute("#!run --steps 2", 60)
    result["continued_notes"] = notes(texts)
finally:
    result["alive_at_end"] = km.is_alive()
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(result))
sys.exit(0 if result.get("later_reply") == "ok" else 1)
