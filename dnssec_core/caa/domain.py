"""The name a CAA check is for: a DNS name, a wildcard ``*.name``, or a mailbox's domain.

Input is text from a CA's issuance pipeline (a certificate request, a batch file); it is checked
here once, so that the search (:mod:`dnssec_core.caa.search`) only ever sees a valid absolute
name.  The rules, each with its source:

- at most 253 characters without the final dot, labels of 1..63 octets (RFC 1035 §2.3.4;
  253 + the root label = 255 octets on the wire);
- every label is a letter-digit-hyphen label, not starting or ending with a hyphen (RFC 1034
  §3.5 preferred syntax as the TLS BRs §7.1.2.7.12 require of a dNSName: "P-Label or
  Non-Reserved LDH Label"); a label with ``--`` in positions 3-4 must be a valid A-label
  (``xn--``, RFC 5890 §2.3.2.1), other Reserved LDH labels are refused;
- A-labels are accepted as they are (after checking that they decode to a valid U-label and
  back); U-labels are lower-cased and converted to A-labels by IDNA2008 (RFC 5891, the
  ``idna`` package) with no other mapping (no UTS #46: a soft hyphen or a compatibility
  character is refused, not silently dropped or replaced), or refused with the reason when
  they are not valid IDNA2008 (or ``idna`` is not installed);
- a wildcard is ``*.`` followed by a valid name (CAA-TREE-02: the search starts at that name,
  the ``*`` label is never queried); no other ``*``;
- for S/MIME (RFC 9495 §4, BR-SMIME-01) an input ``local@domain`` stands for ``domain`` (the
  text after the last ``@``); a bare domain is accepted too;
- control characters, spaces, backslash escapes and an IP address literal are refused.

Every refusal is a :class:`DomainError` with a one-line message saying which rule failed.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Final

import dns.exception
import dns.name
import idna
from dns.name import Name

#: RFC 1035 §2.3.4: 255 octets on the wire = 253 characters of presentation without the dot.
MAX_DOMAIN_CHARS: Final = 253
MAX_LABEL_CHARS: Final = 63
#: Longest input line we look at at all (a batch line, a CLI argument); longer is refused.
MAX_INPUT_CHARS: Final = 1024

_LDH = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


class DomainError(ValueError):
    """The input is not a name a CAA check can be made for (one-line message)."""


class DomainKind(enum.Enum):
    """What the certificate would contain for this name."""

    DNS = "dns"  # a dNSName (TLS BR 3.2.2.8)
    WILDCARD = "wildcard"  # a wildcard dNSName (RFC 8659 §4.3)
    EMAIL = "email"  # the domain of an rfc822Name / SmtpUTF8Mailbox (SBR 4.2.2.1)


@dataclass(frozen=True, slots=True)
class CaaDomain:
    """A checked request name.

    ``name`` is the absolute name the relevant-RRset search starts at (the wildcard's base for
    ``*.X``); ``text`` the normalised form shown in results (A-labels, lower case, no final
    dot, ``*.`` kept); ``given`` the input exactly as received (kept for the audit record).
    """

    name: Name
    text: str
    kind: DomainKind
    given: str

    def __post_init__(self) -> None:
        if not self.name.is_absolute() or self.name == dns.name.root:
            raise ValueError("CaaDomain.name must be an absolute name below the root")


def parse_domain(text: str, *, email: bool = False) -> CaaDomain:
    """Check and normalise one request name; raises :class:`DomainError` with the reason."""
    given = text
    if len(text) > MAX_INPUT_CHARS:
        raise DomainError(f"input longer than {MAX_INPUT_CHARS} characters")
    bad = next((c for c in text if ord(c) < 0x20 or ord(c) == 0x7F), None)
    if bad is not None:
        raise DomainError(f"control character U+{ord(bad):04X} in the input")
    text = text.strip()
    kind = DomainKind.DNS
    if email:
        kind = DomainKind.EMAIL
        if "@" in text:
            local, _, text = text.rpartition("@")
            if not local:
                raise DomainError("mailbox address with an empty local part")
    if not text:
        raise DomainError("empty domain name")
    if any(c.isspace() for c in text):
        raise DomainError("white space inside the domain name")
    if "\\" in text:
        raise DomainError("backslash escapes are not allowed in a domain name")
    if text.startswith("*."):
        if kind is DomainKind.EMAIL:
            raise DomainError("a mailbox domain cannot be a wildcard")
        kind = DomainKind.WILDCARD
        text = text[2:]
    if text.endswith("."):
        text = text[:-1]
    if not text:
        raise DomainError("the root is not a domain a certificate can name")
    if _IPV4.match(text) or ":" in text:
        raise DomainError("an IP address is not a domain name (CAA applies to DNS names)")
    labels = text.split(".")
    ascii_labels = [_a_label(label) for label in labels]
    normalised = ".".join(ascii_labels)
    if len(normalised) > MAX_DOMAIN_CHARS:
        raise DomainError(
            f"domain is {len(normalised)} characters long, over {MAX_DOMAIN_CHARS} "
            "(RFC 1035 §2.3.4)"
        )
    if normalised.rsplit(".", 1)[-1].isdigit():
        raise DomainError("all-numeric top-level label (RFC 3696 §2)")
    try:
        name = dns.name.from_text(normalised + ".")
    except dns.exception.DNSException as exc:  # defence in depth: checked above already
        raise DomainError(f"invalid domain name: {exc}") from None
    shown = ("*." if kind is DomainKind.WILDCARD else "") + normalised
    return CaaDomain(name, shown, kind, given)


def _a_label(label: str) -> str:
    """One label as a lower-case LDH label or A-label, or a DomainError naming the label."""
    if not label:
        raise DomainError("empty label (two dots in a row, or a leading dot)")
    if label == "*":
        raise DomainError("'*' is allowed only as the whole leftmost label of a wildcard")
    if not label.isascii():
        return _u_label_to_a_label(label)
    if len(label) > MAX_LABEL_CHARS:
        raise DomainError(f"label {label[:20]!r}... is {len(label)} characters, over 63")
    if not _LDH.match(label):
        raise DomainError(
            f"label {label!r} is not a letter-digit-hyphen label (RFC 1034 §3.5, TLS BR 7.1.2.7.12)"
        )
    label = label.lower()
    if label[2:4] == "--":
        if not label.startswith("xn--"):
            raise DomainError(f"label {label!r} is a Reserved LDH label but not an A-label")
        _check_a_label(label)
    return label


def _check_a_label(label: str) -> None:
    try:
        unicode = idna.decode(label)
        again = idna.encode(unicode).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise DomainError(f"label {label!r} is not a valid A-label: {exc}") from None
    if again != label:
        raise DomainError(f"label {label!r} is not the canonical A-label of {unicode!r}")


def _u_label_to_a_label(label: str) -> str:
    try:  # case folded, nothing else remapped: IDNA2008 proper (RFC 5891), not UTS #46
        converted = idna.encode(label.lower(), uts46=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise DomainError(f"label {label!r} is not a valid IDNA2008 U-label: {exc}") from None
    if len(converted) > MAX_LABEL_CHARS:
        raise DomainError(f"label {label!r} converts to {len(converted)} characters, over 63")
    return converted.lower()
