"""The ``pure`` backend imports no crypto library: read from the source, and proven by running it.

1. Every import statement in ``dnssec_core/crypto/pure/`` names an allowed module (an
   allow-list, so a new dependency must be added here consciously), and nothing imports by name
   at run time (``__import__``, ``importlib``).
2. A subprocess blocks ``cryptography``, ``nacl`` (and friends) with a ``sys.meta_path`` finder
   that raises ImportError, then imports the pure backend and verifies one valid and one invalid
   signature per algorithm (signed here, with cryptography, in the parent).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

import dnssec_core.crypto.pure
from vectors import vector_path

PURE_DIR = Path(dnssec_core.crypto.pure.__file__).parent
REPO = Path(__file__).resolve().parents[2]
#: Modules the pure backend may import.  hashlib supplies SHA-1/2 and SHAKE256 only.
ALLOWED = {
    "__future__",
    "collections.abc",
    "dataclasses",
    "hashlib",
    "threading",
    "typing",
    "dnssec_core.limits",
    "dnssec_core.crypto.base",
    "dnssec_core.crypto.pure.ecdsa",
    "dnssec_core.crypto.pure.eddsa",
    "dnssec_core.crypto.pure.field",
    "dnssec_core.crypto.pure.rsa",
}
BLOCKED = ("cryptography", "nacl", "_cffi_backend", "ecdsa", "rsa", "Crypto", "Cryptodome", "gmpy2")


#: Packages whose ``from P import name`` must name an allowed submodule (P's __init__ is no gate).
PACKAGES = {"dnssec_core", "dnssec_core.crypto", "dnssec_core.crypto.pure"}


def imported_modules(path: Path) -> set[str]:
    """Modules imported by ``path``; ``from package import sub`` counts as ``package.sub``."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            assert node.module is not None
            if node.module in PACKAGES:
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                modules.add(node.module)
    return modules


def dynamic_import_names(path: Path) -> set[str]:
    """Names through which code could import or run code chosen at run time."""
    names = {"__import__", "importlib", "import_module", "exec", "eval", "compile", "__loader__"}
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Name) and node.id in names:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in names:
            found.add(node.attr)
    return found


def test_pure_sources_import_only_allowed_modules() -> None:
    sources = sorted(PURE_DIR.glob("*.py"))
    assert {p.name for p in sources} == {
        "__init__.py", "ecdsa.py", "eddsa.py", "field.py", "rsa.py"
    }
    for path in sources:
        unexpected = imported_modules(path) - ALLOWED
        assert not unexpected, f"{path.name} imports {unexpected}"
        dynamic = dynamic_import_names(path)
        assert not dynamic, f"{path.name} uses {dynamic}"


def signed_vectors() -> list[dict[str, object]]:
    """One valid signature per algorithm, made with cryptography; the child also tries a bad one."""
    message = b"pure import isolation"
    vectors: list[dict[str, object]] = []
    digest: hashes.HashAlgorithm
    for bits, scheme, digest in ((1024, "RSA_PKCS1_SHA1", hashes.SHA1()),
                                 (2048, "RSA_PKCS1_SHA256", hashes.SHA256()),
                                 (2048, "RSA_PKCS1_SHA512", hashes.SHA512())):
        private_rsa = rsa.generate_private_key(65537, bits)
        numbers = private_rsa.public_key().public_numbers()
        signature = private_rsa.sign(message, padding.PKCS1v15(), digest)
        vectors.append({"type": "rsa", "scheme": scheme, "n": numbers.n, "e": numbers.e,
                        "sig": signature.hex()})
    curves = ((ec.SECP256R1(), "ECDSA_P256_SHA256", hashes.SHA256(), 32),
              (ec.SECP384R1(), "ECDSA_P384_SHA384", hashes.SHA384(), 48))
    for curve, scheme, digest, width in curves:
        private_ec = ec.generate_private_key(curve)
        point = private_ec.public_key().public_numbers()
        r, s = decode_dss_signature(private_ec.sign(message, ec.ECDSA(digest)))
        vectors.append({"type": "ec", "scheme": scheme, "x": point.x, "y": point.y,
                        "sig": (r.to_bytes(width, "big") + s.to_bytes(width, "big")).hex()})
    for private_ed, scheme in ((ed25519.Ed25519PrivateKey.generate(), "ED25519"),
                               (ed448.Ed448PrivateKey.generate(), "ED448")):
        vectors.append({"type": "ed", "scheme": scheme,
                        "raw": private_ed.public_key().public_bytes_raw().hex(),
                        "sig": private_ed.sign(message).hex()})
    for vector in vectors:
        vector["msg"] = message.hex()
    return vectors


CHILD = r"""
import json, sys

BLOCKED = set(sys.argv[1].split(","))

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"import of {name} blocked by test_pure_imports")
        return None

sys.meta_path.insert(0, Blocker())

from dnssec_core.crypto import get_backend
from dnssec_core.crypto.base import ECPublicKey, EdPublicKey, RSAPublicKey, SignatureScheme

pure = get_backend("pure")
results = []
for v in json.load(sys.stdin):
    scheme = SignatureScheme[v["scheme"]]
    if v["type"] == "rsa":
        key = RSAPublicKey(scheme, v["n"], v["e"])
    elif v["type"] == "ec":
        key = ECPublicKey(scheme, v["x"], v["y"], b"")
    else:
        key = EdPublicKey(scheme, bytes.fromhex(v["raw"]))
    sig, msg = bytes.fromhex(v["sig"]), bytes.fromhex(v["msg"])
    results.append([v["scheme"], pure.verify(key, sig, msg), pure.verify(key, sig, msg + b"!")])

try:
    get_backend("fast")
    fast = "importable"
except ImportError:
    fast = "blocked"
loaded = sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED)
print(json.dumps({"results": results, "fast": fast, "loaded": loaded}))
"""


def test_pure_backend_runs_with_crypto_libraries_blocked() -> None:
    vectors = signed_vectors()
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(BLOCKED)],
        input=json.dumps(vectors),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["fast"] == "blocked"  # the blocker works: fast needs cryptography and nacl
    assert report["loaded"] == []
    assert report["results"] == [[v["scheme"], True, False] for v in vectors]


CLI_CHILD = r"""
import sys

BLOCKED = {"cryptography", "nacl"}

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"import of {name} blocked by test_pure_imports")
        return None

sys.meta_path.insert(0, Blocker())
from dnssec_core.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED)
sys.stderr.write(f"loaded={loaded}\n")
sys.exit(code)
"""


@pytest.mark.parametrize("algorithm", [8, 10, 13, 14, 15, 16])
def test_verify_zone_crypto_pure_with_crypto_libraries_blocked(algorithm: int) -> None:
    """Issue 3: `verify-zone --crypto pure` works where cryptography and pynacl can't load."""
    zone = vector_path("zones", f"bind-alg{algorithm}-nsec", "zone.signed")
    ds = vector_path("zones", f"bind-alg{algorithm}-nsec", "ds.txt")
    completed = subprocess.run(
        [sys.executable, "-c", CLI_CHILD, "verify-zone", str(zone), "--ds", str(ds),
         "--crypto", "pure", "--jobs", "1", "--now", "20261201000000", "--json"],
        capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["status"] == "secure" and report["failures"] == []
    assert report["signatures_verified"] == report["rrsets"] > 20
    assert "loaded=[]" in completed.stderr
