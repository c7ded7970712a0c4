"""The ``cross`` backend: agreement passes through, disagreement fails closed (SEC-XB-01)."""

from __future__ import annotations

import logging

import pytest

from dnssec_core.crypto import BACKEND_NAMES, get_backend
from dnssec_core.crypto.base import BackendDisagreement, ECPublicKey, PublicKey, SignatureScheme
from dnssec_core.crypto.cross import CrossBackend
from dnssec_core.dnssec.keys import parse_public_key
from dnssec_core.dnssec.rrsig import ZoneKeys, verify_rrset
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.canonical import signature_input
from tests.conftest import BACKENDS
from tests.support.signer import NOW, a_rrset, make_key, name, sign_rrset

ZONE = name("example.com.")


class Liar:
    """A backend that inverts the real answer (a stand-in for a broken implementation)."""

    name = "liar"

    def __init__(self) -> None:
        self.calls = 0

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool:
        self.calls += 1
        return not get_backend("fast").verify(key, signature, data)


class Constant:
    def __init__(self, answer: bool) -> None:
        self.name = f"always-{answer}"
        self.answer = answer
        self.calls = 0

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool:
        self.calls += 1
        return self.answer


def test_all_backends_present() -> None:
    assert BACKENDS == BACKEND_NAMES == ("fast", "pure", "cross")
    assert [get_backend(n).name for n in BACKEND_NAMES] == ["fast", "pure", "cross"]
    cross = get_backend("cross")
    assert isinstance(cross, CrossBackend)
    assert (cross.first, cross.second) == (get_backend("fast"), get_backend("pure"))


def signed_case() -> tuple[PublicKey, bytes, bytes]:
    """An ECDSA P-256 key, a valid signature and the signed data."""
    key = make_key(13)
    rrset = a_rrset()
    rrsig = sign_rrset(rrset, key, ZONE)
    public = parse_public_key(SignatureScheme.ECDSA_P256_SHA256, key.public_field)
    assert isinstance(public, ECPublicKey)
    return public, rrsig.signature, signature_input(rrsig, rrset)


@pytest.mark.parametrize("answer", [True, False])
def test_agreement_returns_the_common_answer_SEC_XB_01(answer: bool) -> None:
    public, signature, data = signed_case()
    first, second = Constant(answer), Constant(answer)
    assert CrossBackend(first, second).verify(public, signature, data) is answer
    assert first.calls == second.calls == 1  # both always run, even on "invalid"


def test_disagreement_raises_and_logs_SEC_XB_01(caplog: pytest.LogCaptureFixture) -> None:
    public, signature, data = signed_case()
    liar = Liar()
    cross = CrossBackend(get_backend("pure"), liar)
    with caplog.at_level(logging.ERROR, logger="dnssec_core.crypto.cross"), pytest.raises(
        BackendDisagreement
    ) as raised:
        cross.verify(public, signature, data)
    message = str(raised.value)
    assert message == "ecdsa-p256-sha256: pure says valid, liar says invalid"
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert message in caplog.records[0].getMessage()
    # A rejection is a disagreement too.
    with pytest.raises(BackendDisagreement, match="pure says invalid, liar says valid"):
        cross.verify(public, signature, data + b"tampered")
    assert liar.calls == 2


@pytest.mark.parametrize("algorithm", [8, 13, 15])
def test_disagreement_makes_rrset_bogus_SEC_XB_01(algorithm: int) -> None:
    key = make_key(algorithm)
    rrset = a_rrset()
    rrsig = sign_rrset(rrset, key, ZONE)
    keys = ZoneKeys.from_dnskeys(ZONE, [key.dnskey()])
    honest = verify_rrset(rrset, [rrsig], keys, now=NOW, backend=get_backend("cross"))
    assert honest.status is Status.SECURE
    verdict = verify_rrset(
        rrset, [rrsig], keys, now=NOW, backend=CrossBackend(get_backend("fast"), Liar())
    )
    assert verdict.status is Status.BOGUS
    assert verdict.reason is Reason.BACKEND_DISAGREEMENT
    assert "fast says valid, liar says invalid" in verdict.detail
