"""The chain check hashes owners from their canonical keys (issue 7: no Name built per owner).

``_key_hash(canonical_key(name), ...)`` must be ``iterated_hash(name, ...)`` (RFC 5155 §5,
NSEC3-01) for every name: mixed case, escaped octets, the root, long labels, and salts and
iteration counts of both kinds.
"""

from __future__ import annotations

import random

import dns.name

from dnssec_core.dnssec.denial.nsec3 import iterated_hash
from dnssec_core.wire.name import canonical_key
from dnssec_core.zone import chain


def _names() -> list[dns.name.Name]:
    rng = random.Random(11)
    fixed = [dns.name.root, dns.name.from_text("Example.COM."),
             dns.name.from_text("*.a.example."), dns.name.from_text("\\000.x\\.y.example."),
             dns.name.from_text("a" * 63 + ".example.")]
    alphabet = b"abcXYZ09-_\x00\xff."
    made = [dns.name.Name([bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 20)))
                           for _ in range(rng.randrange(1, 5))] + [b""]) for _ in range(200)]
    return fixed + made


def test_key_hash_is_iterated_hash() -> None:
    checked = 0
    for name in _names():
        for salt, iterations in ((b"", 0), (b"\xaa\xbb", 1), (b"\x01" * 8, 12)):
            assert chain._key_hash(canonical_key(name), salt, iterations) == iterated_hash(
                name, salt, iterations), name
            checked += 1
    assert checked == 3 * 205


def test_labels_and_as_name_agree() -> None:
    for name in _names():
        key = canonical_key(name)
        for given in (name, name.labels, None):
            built = chain._as_name(key, given)
            assert chain._labels(key, given) == built.labels
            assert canonical_key(built) == key
