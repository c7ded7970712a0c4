"""Both arithmetic paths of the pure curves on every Wycheproof ECDSA/EdDSA case.

Through a backend, a key's first signature takes the wNAF path and later ones the per-key table
path, so a Wycheproof group exercises the first path on one case only.  Here every case runs
through a fresh verifier (first use: wNAF with doublings) and through one with its table built
(warm: additions only) — SEC-EC-01, SEC-ED-01.
"""

from __future__ import annotations

import pytest

from dnssec_core.crypto.base import ECPublicKey, EdPublicKey, PublicKey
from dnssec_core.crypto.pure import ecdsa, eddsa
from tests.crypto.wycheproof import ECDSA_DER_FILES, ECDSA_P1363_FILES, EDDSA_FILES, Case, load

CURVE_CASES = [
    case
    for file in ECDSA_P1363_FILES + ECDSA_DER_FILES + EDDSA_FILES
    for case in load(file)[0]
    if case.signature is not None
]

Verifier = ecdsa.ECDSAVerifier | eddsa.EdDSAVerifier
_warm: dict[PublicKey, Verifier] = {}


def new_verifier(key: PublicKey) -> Verifier:
    if isinstance(key, ECPublicKey):
        return ecdsa.ECDSAVerifier(key)
    assert isinstance(key, EdPublicKey)
    return eddsa.EdDSAVerifier(key)


@pytest.mark.parametrize("case", CURVE_CASES, ids=str)
def test_wycheproof_case_first_use(case: Case) -> None:
    assert case.signature is not None
    verifier = new_verifier(case.key)
    assert verifier.verify(case.signature, case.message) is case.expected, case.comment
    assert verifier.table is None


@pytest.mark.parametrize("case", CURVE_CASES, ids=str)
def test_wycheproof_case_with_key_table(case: Case) -> None:
    assert case.signature is not None
    verifier = _warm.get(case.key)
    if verifier is None:
        verifier = _warm[case.key] = new_verifier(case.key)
    if verifier.table is None:
        verifier.uses = 10**6  # past TABLE_AFTER_USES: this verify builds the table
    assert verifier.verify(case.signature, case.message) is case.expected, case.comment
    if case.expected:  # the arithmetic ran (early rejections return before the table is built)
        assert verifier.table is not None
