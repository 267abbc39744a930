"""Judging mutants fast, for `make mutation` (deai.mutation generates them with slither-mutate).

Three costs dominate a mutant: compiling it, starting a pytest session, and running the machines. This module cuts
the first two and avoids running what cannot differ:

- **No file is touched.** A mutant is compiled from Standard JSON with its mutated text given as the source's
  content (imports still resolve from disk), so several lanes judge mutants of the same checkout at once.
- **Trivial compiler equivalence** (Papadakis et al., ICSE 2015): the bytecode is compiled without the CBOR metadata
  (`appendCBOR: false`), so a mutant whose creation code is byte-identical to the original's is equivalent by
  construction (judged "equivalent (same bytecode)" without a test), and mutants identical to an already judged one
  share its outcome ("duplicate").
- **A warm test process.** Each lane imports pytest, Ape, web3 and hypothesis once and forks a child per mutant that
  runs `pytest.main` on the contract's in-process tests (about 3 s of imports and collection saved per mutant).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from deai.toolchain import PROJECT_ROOT

SERVER = PROJECT_ROOT / "tools" / "solc" / "solc.js"  # with --serve: one Standard JSON input per line

OZ_PREFIX, OZ_TARGET = "@openzeppelin/contracts/", "node_modules/@openzeppelin/contracts/"
REMAPPING = OZ_PREFIX + "=" + OZ_TARGET  # relative to the project root, where the compiler runs
OUTPUTS = ["abi", "evm.bytecode.object"]
# A test child's resident memory at most (see WarmTests.run): a machine run of an unmutated contract stays under 1 GiB;
# two lanes at the cap still leave most of the 24 GiB machine free.
CHILD_MEMORY = int(os.environ.get("DEAI_MUTATION_CHILD_MEMORY", 4 * 2**30))
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _resident(pid: int) -> int:
    """Bytes of `pid`'s resident memory (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def standard_input(target: str, names: tuple[str, ...], via_ir: bool, overrides: dict[str, str]) -> dict[str, Any]:
    """Standard JSON compiling `target` (a path relative to the project root) for `names`, with the files in
    `overrides` (relative path -> text) replaced; no optimizer (seconds, not a minute) and no CBOR metadata."""
    sources = {target: {"content": overrides.get(target) or (PROJECT_ROOT / target).read_text()}}
    sources.update({path: {"content": text} for path, text in overrides.items()})
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "remappings": [REMAPPING],
            "evmVersion": "prague",
            "viaIR": via_ir,
            "optimizer": {"enabled": False},
            "metadata": {"appendCBOR": False},
            "outputSelection": {"*": {name: OUTPUTS for name in names}},
        },
    }


class _Compiler:
    """tools/solc/solc.js --serve, started once per process: the wasm compiler stays loaded between mutants."""

    process: subprocess.Popen | None = None

    @classmethod
    def compile(cls, request: dict[str, Any]) -> dict[str, Any]:
        if cls.process is None or cls.process.poll() is not None:
            cls.process = subprocess.Popen(["node", str(SERVER), "--serve"], cwd=PROJECT_ROOT, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, text=True, bufsize=1)
        assert cls.process.stdin and cls.process.stdout
        cls.process.stdin.write(json.dumps(request) + "\n")
        cls.process.stdin.flush()
        line = cls.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{SERVER} stopped: run it by hand to see why")
        return json.loads(line)


def compile_mutant(target: str, names: tuple[str, ...], via_ir: bool,
                   overrides: dict[str, str] | None = None) -> dict[str, dict[str, Any]] | None:
    """Contract types (abi and creation bytecode, as Ape's `.build` holds them) of `names`, or None when the
    sources do not compile or one of `names` has no bytecode (abstract)."""
    output = _Compiler.compile(standard_input(target, names, via_ir, overrides or {}))
    if any(e.get("severity") == "error" for e in output.get("errors", [])):
        return None
    found: dict[str, dict[str, Any]] = {}
    for contracts in output.get("contracts", {}).values():
        for name, data in contracts.items():
            code = data.get("evm", {}).get("bytecode", {}).get("object")
            if name in names and code:
                found[name] = {"contractName": name, "abi": data["abi"],
                               "deploymentBytecode": {"bytecode": "0x" + code}}
    return found if set(found) == set(names) else None


def fingerprint(types: dict[str, dict[str, Any]]) -> str:
    """A hash of the creation code (constructor and runtime, no metadata) of every contract type."""
    digest = hashlib.sha256()
    for name in sorted(types):
        digest.update(name.encode() + b"=" + types[name]["deploymentBytecode"]["bytecode"].encode() + b";")
    return digest.hexdigest()


def apply_patch(text: str, patch: dict[str, Any]) -> str:
    """slither-mutate's patch (byte offsets into the UTF-8 source) applied to `text`."""
    raw = text.encode("utf8")
    return (raw[: patch["start"]] + patch["new_string"].encode("utf8") + raw[patch["end"]:]).decode("utf8")


class PatchMoved(Exception):
    """The source changed since the patch was generated: its bytes are no longer the ones it replaced."""


def effective_patch(text: str, patch: dict[str, Any]) -> dict[str, Any]:
    """The patch that makes the mutant slither-mutate's label (`old` -> `new`) names.

    slither-mutate's patches and labels disagree where a mutated condition sits inside a statement: the label's
    `old` is the whole statement, the patch's range only the condition, and its `new_string` is sometimes the
    mutated condition (MIA: `true`), sometimes the whole mutated statement (ROR: `x = a < b` for `x = a > b`), or
    `!(statement)` (MIA). Applied as is, the last two duplicate the statement's head and never compile (round 10: 491
    such mutants of every contract had been judged "invalid"). This returns the patch with `new_string` cut to the
    condition's part: the whole statement's mutation minus the statement's unchanged head and tail, or `!(condition)`.
    Raises PatchMoved if the patched bytes are not the `region` recorded at generation."""
    raw = text.encode("utf8")
    region = raw[patch["start"]:patch["end"]].decode("utf8", errors="replace")
    if "region" in patch and region != patch["region"]:
        raise PatchMoved(f"{patch['file']}: {patch['mutator']} line {patch['line']} no longer patches "
                         f"{patch['region']!r} (the source changed since it was generated): generate the mutants again")
    core, old, new = region.strip(), patch["old"], patch["new"]
    if core == old or core not in old:
        return patch
    at = old.index(core)
    head, tail = old[:at], old[at + len(core):]
    if new == f"!({old})":
        mutated = f"!({core})"
    elif new.startswith(head) and new.endswith(tail) and len(new) >= len(head) + len(tail) and (head or tail):
        mutated = new[len(head):len(new) - len(tail)]
    else:
        return patch  # a replacement of the condition alone (MIA `true`/`false`)
    lead, trail = region[:len(region) - len(region.lstrip())], region[len(region.rstrip()):]
    return dict(patch, new_string=lead + mutated + trail)


class WarmTests:
    """Runs pytest in a child forked from a process that has already imported what the tests import."""

    def __init__(self) -> None:
        os.chdir(PROJECT_ROOT)
        if str(PROJECT_ROOT) not in sys.path:
            sys.path.insert(0, str(PROJECT_ROOT))
        import ape  # noqa: F401  (Ape's import is most of a pytest session's start)
        import ape_ethereum.provider  # noqa: F401
        import hypothesis  # noqa: F401
        import pytest  # noqa: F401
        import web3  # noqa: F401

        import deai.testing.revm  # noqa: F401

    def run(self, args: list[str], types: dict[str, dict[str, Any]], timeout: float, unit_mode: bool = False) -> str:
        """"passed", "failed" (a test failed), "timeout" or "crashed": the pytest arguments `args` with `types`
        replacing Ape's contract types in-process (DEAI_REVM_ARTIFACTS), under the `mutation` hypothesis profile;
        `unit_mode`: the unit tests on the in-process chain (deai.testing.inprocess_units).

        A child whose resident memory passes CHILD_MEMORY is killed and the verdict is "crashed": the tests did not
        pass on the mutant (round 9: EmissionSplitter with `rewardDecrease` never assigned made the tests' curve
        oracle build an endless list; its child reached 23 GB, the kernel's OOM killer ended it, and the lane died
        with it). A child killed by any other signal is "crashed" too."""
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(types, f)
            override = f.name
        pid = os.fork()
        if pid == 0:  # the child: a fresh pytest session in the warm interpreter
            code = 3
            try:
                os.environ.update(HYPOTHESIS_PROFILE="mutation", DEAI_REVM_ARTIFACTS=override)
                if unit_mode:  # the unit tests on the in-process chain (deai.testing.inprocess_units)
                    os.environ["DEAI_UNIT_BACKEND"] = "revm"
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                import pytest

                code = int(pytest.main(["-p", "no:ape_test", "-p", "no:cacheprovider", "-x", "-q", *args]))
            finally:
                os._exit(code)
        deadline = time.monotonic() + timeout
        try:
            while True:
                finished, status = os.waitpid(pid, os.WNOHANG)
                if finished:
                    code = os.waitstatus_to_exitcode(status)
                    if code < 0:  # killed by a signal (not ours: a timeout returns below)
                        return "crashed"
                    if code not in (0, 1):  # 2-5: interrupted, internal or usage error, nothing collected
                        raise RuntimeError(f"pytest {' '.join(args)} could not judge (exit {code}): run it by hand")
                    return "passed" if code == 0 else "failed"
                if _resident(pid) > CHILD_MEMORY:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    return "crashed"
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    return "timeout"
                time.sleep(0.02)
        finally:
            os.unlink(override)
