"""Every Wycheproof case against every backend (SEC-RSA-03, SEC-EC-01, SEC-ED-01, VAL-ALG-06..08).

``valid`` must verify, ``invalid`` must not, ``acceptable`` as decided in
:data:`tests.crypto.wycheproof.ACCEPTABLE`.  DER-encoded ECDSA signatures are converted to the
DNSSEC r‖s form first; a DER parse failure counts as a rejection (such a case must not be
``valid``).  The ``cross`` run also proves ``fast`` and ``pure`` agree on every case (it raises
:class:`BackendDisagreement` otherwise).
"""

from __future__ import annotations

import pytest

from dnssec_core.crypto import Backend
from tests.crypto.wycheproof import ALL_FILES, Case, load
from vectors import vector_path

LOADED = {file: load(file) for file in ALL_FILES}
CASES = [case for cases, _ in LOADED.values() for case in cases]

#: numberOfTests of each vendored file, written out so that a changed file is noticed.
EXPECTED_COUNTS = {
    "rsa_signature_2048_sha256_test.json": 259,
    "rsa_signature_2048_sha512_test.json": 259,
    "rsa_signature_3072_sha256_test.json": 259,
    "rsa_signature_3072_sha512_test.json": 260,
    "rsa_signature_4096_sha256_test.json": 258,
    "rsa_signature_4096_sha512_test.json": 259,
    "ecdsa_secp256r1_sha256_p1363_test.json": 262,
    "ecdsa_secp384r1_sha384_p1363_test.json": 280,
    "ecdsa_secp256r1_sha256_test.json": 484,
    "ecdsa_secp384r1_sha384_test.json": 504,
    "ed25519_test.json": 151,
    "ed448_test.json": 87,
}


@pytest.mark.parametrize("file", ALL_FILES)
def test_every_case_of_every_group_is_loaded(file: str) -> None:
    cases, number_of_tests = LOADED[file]
    assert len(cases) == number_of_tests == EXPECTED_COUNTS[file]
    assert len({case.tc_id for case in cases}) == number_of_tests


def test_every_vendored_file_is_used() -> None:
    vendored = {path.name for path in vector_path("wycheproof").glob("*.json")}
    assert vendored == set(ALL_FILES)
    assert vector_path("wycheproof", "LICENSE").is_file()


def test_case_list_is_complete() -> None:
    assert len(CASES) == sum(EXPECTED_COUNTS.values()) == 3322


def test_acceptable_cases_are_decided() -> None:
    acceptable = [case for case in CASES if case.result == "acceptable"]
    assert len(acceptable) == 6
    assert all(case.flags == ("MissingNull",) and case.expected is False for case in acceptable)


def test_der_parse_failures_are_never_valid() -> None:
    unparsed = [case for case in CASES if case.signature is None]
    assert unparsed, "the DER files contain malformed encodings"
    assert all(case.result == "invalid" for case in unparsed)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_wycheproof(case: Case, backend: Backend) -> None:
    if case.signature is None:
        return  # rejected at DER parsing; test_der_parse_failures_are_never_valid checks it
    assert backend.verify(case.key, case.signature, case.message) is case.expected, case.comment
