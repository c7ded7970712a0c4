"""dnspython is a parser only (issue 2): the package must not use its DNSSEC, resolver or
transport modules, nor its canonical-form helpers.  Checked on the source text (AST), so a
lazy import inside a function is caught too."""

from __future__ import annotations

import ast
from pathlib import Path

import dnssec_core

PACKAGE = Path(dnssec_core.__file__).parent
FORBIDDEN_MODULES = {"dns.dnssec", "dns.dnssectypes", "dns.resolver", "dns.query",
                     "dns.asyncquery", "dns.asyncresolver", "dns.dnssecalgs"}
FORBIDDEN_CALLS = {"to_digestable", "canonicalize", "_make_rrsig_signature_data",
                   "make_ds", "key_id", "nsec3_hash", "_validate_rrsig", "validate_rrsig"}
OWN_FUNCTIONS_NAMED_LIKE_THEM = {"make_ds"}  # our dnssec_core.dnssec.ds.make_ds


def sources() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 15
    return files


def test_no_forbidden_dnspython_modules() -> None:
    offenders = []
    for path in sources():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            offenders += [f"{path.name}: {n}" for n in names
                          if any(n == m or n.startswith(m + ".") for m in FORBIDDEN_MODULES)]
    assert offenders == []


def test_no_dnspython_canonical_helpers() -> None:
    offenders = []
    for path in sources():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_CALLS:
                offenders.append(f"{path.name}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.keyword) and node.arg == "canonicalize":
                offenders.append(f"{path.name}:{node.value.lineno} canonicalize=")
            if (isinstance(node, ast.Name) and node.id in FORBIDDEN_CALLS
                    and node.id not in OWN_FUNCTIONS_NAMED_LIKE_THEM):
                offenders.append(f"{path.name}:{node.lineno} {node.id}")
    assert offenders == []


def test_the_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = "import dns.dnssec\nx = rrset.to_digestable()\n"
    tree = ast.parse(bad)
    imports = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    attrs = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    assert "dns.dnssec" in imports and "to_digestable" in attrs
