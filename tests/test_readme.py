"""README.md stays true: its CLI examples are run and their output compared, its Python
example is executed, and .ci/run calls README's test command verbatim."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def shell_examples() -> list[tuple[str, str]]:
    """(command, expected output) for every ``$ dnssec-core ...`` block in README."""
    out = []
    for block in re.findall(r"```\n(\$ dnssec-core .*?)```", README, flags=re.S):
        command, _, expected = block.partition("\n")
        out.append((command[2:], expected))
    return out


EXAMPLES = shell_examples()


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_cli_example_output_is_real(command: str, expected: str) -> None:
    argv = shlex.split(command)
    assert argv[0] == "dnssec-core"
    proc = subprocess.run([sys.executable, "-m", "dnssec_core", *argv[1:]], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout == expected, proc.stderr


def test_python_example_runs() -> None:
    (code,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    (expected,) = re.findall(r"prints:\n\n```\n(.*?)```", README, flags=re.S)
    assert proc.stdout == expected


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    assert len(commands) == 2  # the main job, and the tests
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[1] in ci
