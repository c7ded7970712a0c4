"""The decision record: one JSON line per CAA check, for a CA's audit log.

CAs must keep evidence of their CAA checks and document the issuances CAA prevented (TLS BR
3.2.2.8 and 5.4.1, S/MIME BR 4.2.2.1: "log all actions taken consistent with its CAA
processing"; BR-LOG-01/02, BR-SMIME-05, BR-CAA-10).  A record holds:

- ``format``, ``written_at`` (wall clock when written) and ``now`` (the validation time the
  check used, with ``time_source``: the system clock or ``--now``; SEC-TIME-01);
- ``perspective``: the network perspective that ran the check, as the CA names it with
  ``caa --perspective ID`` (null when not given).  With Multi-Perspective Issuance
  Corroboration each perspective runs its own check and writes its own record; TLS BR 5.4.1
  asks the log of each attempt to name the perspective, the domain and the result
  (BR-LOG-01; the result is ``decision``, the domain ``domain``);
- ``software`` (name, version) and ``crypto_backend``; ``trust_anchor`` (source, SHA-256 of
  the anchor file, key tags: TA-05; ``zone`` the highest anchor zone and ``zones`` every
  anchor zone with its key tags); ``transport`` (how the DNS was reached);
- ``request``: the input as given and normalised, the issuer domain names, account URI,
  validation method, the lookup-failure policy;
- the seven keys of the CLI's JSON (``domain`` ... ``lookups``), then ``lookup_details``: every
  lookup in climb order with its verdict, reason, EDE, alias chain, records, TTL, zones walked
  with their key tags and DS records, the servers that answered and the transport failures;
  ``zone_probes`` (BR-CAA-07 evidence); ``iodef`` URLs; ``ttl`` and ``reuse_until``
  (BR-CAA-06); ``prevented`` (true when CAA or a failed lookup stopped the issuance);
- with ``caa --evidence FILE``, ``evidence_sha256``: the hex SHA-256 of the evidence bundle
  file's bytes (issue 9), so a log line and its bundle can be matched.

:class:`DecisionLog` appends lines to a file opened with ``O_APPEND`` and never truncates or
rewrites it; each record is one ``write`` followed by ``fsync`` (a CA must not issue on a
check whose record may be lost).
"""

from __future__ import annotations

import json
import os
from typing import Any, Final

from dnssec_core import __version__
from dnssec_core.caa.check import BatchError, CaaCheck
from dnssec_core.caa.decision import Decision
from dnssec_core.chain.anchors import TrustAnchors
from dnssec_core.timeutil import format_time

RECORD_FORMAT: Final = "dnssec-core/caa-decision-record/1"
SOFTWARE: Final = "dnssec-core"


#: The longest perspective identifier accepted (policy: a label such as "primary" or
#: "eu-west-3"; the record is a CA log line, not a place for free text).
MAX_PERSPECTIVE_CHARS: Final = 64


def check_perspective(text: str) -> str:
    """A perspective identifier for the decision record (BR-LOG-01): 1 to
    ``MAX_PERSPECTIVE_CHARS`` printable ASCII characters other than space — nothing that
    could hide in, or break, a log line.  Returned unchanged; raises ValueError otherwise."""
    if not 0 < len(text) <= MAX_PERSPECTIVE_CHARS:
        raise ValueError(f"must be 1 to {MAX_PERSPECTIVE_CHARS} characters")
    if not all("!" <= char <= "~" for char in text):
        raise ValueError("only printable ASCII without spaces is allowed")
    return text


class LogError(OSError):
    """The decision log cannot be opened or written (the caller must not issue)."""


def decision_record(
    check: CaaCheck | BatchError,
    *,
    written_at: int,
    time_source: str,
    crypto_backend: str,
    anchors: TrustAnchors,
    transport: str,
    evidence_sha256: str | None = None,
    perspective: str | None = None,
) -> dict[str, Any]:
    """The audit record of one check (see the module docstring).  ``perspective`` must have
    passed :func:`check_perspective`."""
    head: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "written_at": format_time(written_at),
        "perspective": perspective,
        "software": {"name": SOFTWARE, "version": __version__},
        "crypto_backend": crypto_backend,
        "trust_anchor": {
            "source": anchors.source,
            "sha256": anchors.sha256,
            "zone": anchors.zone.to_text(),  # the highest anchor zone (the root by default)
            "key_tags": anchors.key_tags,
            # every anchor zone (RFC 4035 §4.4: several may be configured), highest first
            "zones": [{"zone": anchor.zone.to_text(), "key_tags": anchor.key_tags}
                      for anchor in anchors.zones],
        },
        "transport": transport,
    }
    if evidence_sha256 is not None:
        head["evidence_sha256"] = evidence_sha256
    if isinstance(check, BatchError):
        return {
            **head,
            "now": None,
            "time_source": time_source,
            "request": {"domain": check.given},
            **check.as_json(),
            "lookup_details": [],
            "zone_probes": [],
            "iodef": [],
            "ttl": None,
            "reuse_until": None,
            "prevented": check.decision is not None,
        }
    return {
        **head,
        "now": check.now,
        "now_utc": format_time(check.now),
        "time_source": time_source,
        "request": check.request.audit_json(),
        **check.as_json(),
        "lookup_details": [lookup.audit_json() for lookup in check.lookups],
        "zone_probes": [probe.audit_json() for probe in check.search.probes],
        "iodef": [i.as_json() for i in check.iodef],
        "ttl": check.ttl,
        "reuse_until": format_time(check.reuse_until),
        "prevented": check.decision in (Decision.DENIED, Decision.LOOKUP_FAILURE),
    }


def record_line(record: dict[str, Any]) -> str:
    """One line of JSON: ASCII only (escape_text already removed control characters from DNS
    data; ``ensure_ascii`` covers the rest), so a record can never split or forge lines."""
    return json.dumps(record, ensure_ascii=True, separators=(",", ":"), sort_keys=False) + "\n"


class DecisionLog:
    """An append-only JSON-lines file (``--log FILE``).

    Opened with ``O_WRONLY | O_APPEND | O_CREAT`` (never ``O_TRUNC``): existing lines are
    never touched, and each record lands at the end even if another process appends too.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        except OSError as exc:
            raise LogError(f"cannot open the decision log {path}: {exc.strerror or exc}") from None

    def write(self, record: dict[str, Any]) -> None:
        data = record_line(record).encode("ascii")
        try:
            written = os.write(self._fd, data)
            if written != len(data):  # a short write on a regular file: disk full
                raise OSError(f"short write ({written} of {len(data)} octets)")
            os.fsync(self._fd)
        except OSError as exc:
            raise LogError(f"cannot write the decision log {self.path}: {exc}") from None

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
