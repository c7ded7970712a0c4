"""CAA records: the RDATA of RFC 8659 §4.1 and the property values of §4.2-4.4, RFC 8657 and
RFC 9495.

Nothing here raises on hostile data: a record or value that does not follow the grammar is
returned with ``malformed`` saying why, and the decision (:mod:`dnssec_core.caa.decision`)
treats it the way the RFC says — a malformed tag is an unknown property (CAA-SYN-02), a
malformed ``issue``/``issuewild``/``issuemail`` value authorises nobody (RFC 8659 §4.2,
CAA-ISS-04).

Wire form (RFC 8659 §4.1, CAA-SYN-01)::

    flags (1 octet) | tag length (1 octet, >= 1) | tag | value (the rest of the RDATA)

Value grammar of ``issue``, ``issuewild`` (RFC 8659 §4.2) and ``issuemail`` (RFC 9495 §3)::

    issue-value = *WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]
    issuer-domain-name = label *("." label)
    label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))
    parameters = (parameter *WSP ";" *WSP parameters) / parameter
    parameter = tag *WSP "=" *WSP value
    tag = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))
    value = *(%x21-3A / %x3C-7E)
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any, Final

CAA_TYPE: Final = 257
#: RFC 8659 §4.1: bit 0 of the flags octet (value 128) is the Issuer Critical Flag; the other
#: bits are reserved and ignored when read (CAA-SYN-03).
ISSUER_CRITICAL: Final = 0x80
#: RFC 6844 §5.1 advised at most 15 octets for a tag; RFC 8659 §4.1 dropped the limit.  A longer
#: tag is still well-formed here; it simply is no property we know (so it matters only if
#: critical).
TAG_ADVISED_MAX_OCTETS: Final = 15


class Tag(enum.Enum):
    """The property tags dnssec-core understands (compared case-insensitively, CAA-TAG-02)."""

    ISSUE = "issue"  # RFC 8659 §4.2
    ISSUEWILD = "issuewild"  # RFC 8659 §4.3
    IODEF = "iodef"  # RFC 8659 §4.4
    ISSUEMAIL = "issuemail"  # RFC 9495 §3
    CONTACTEMAIL = "contactemail"  # TLS BR Appendix A.1.1
    CONTACTPHONE = "contactphone"  # TLS BR Appendix A.1.2


#: Tags whose semantics this implementation knows, so a critical flag on them does not block
#: issuance (RFC 8659 §4.1, CAA-SYN-04).  ``issuevmc`` (BIMI) and every other tag are unknown:
#: set critical, they forbid issuance — the fail-closed reading of §4.1 for a CA that does not
#: implement them (CAA-TAG-01 lets us parse and show them; it does not make them understood).
KNOWN_TAGS: Final = frozenset(tag.value for tag in Tag)

_TAG = re.compile(rb"^[A-Za-z0-9]+$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_WSP = " \t"
_PARAM_VALUE_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F) if c != 0x3B)
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def escape_text(data: bytes) -> str:
    """RFC 1035 §5.1 character-string escaping without the quotes (CAA-SYN-05).

    Printable ASCII stays, ``"`` and ``\\`` get a backslash, every other octet (control
    characters, DEL, non-ASCII) becomes ``\\DDD``.  The result never holds a control character,
    so a hostile value cannot forge lines in a log or a terminal.
    """
    out: list[str] = []
    for octet in data:
        if octet in (0x22, 0x5C):
            out.append("\\" + chr(octet))
        elif 0x20 <= octet < 0x7F:
            out.append(chr(octet))
        else:
            out.append(f"\\{octet:03d}")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class CaaRecord:
    """One CAA resource record (a *property*, RFC 8659 §4.1).

    ``tag`` is the tag as received (escaped if it is not printable ASCII), ``value`` the raw
    value octets.  ``malformed`` is empty for a well-formed record, else the reason (RDATA too
    short, tag length 0 or past the end, characters outside ALPHA/DIGIT in the tag).
    """

    flags: int
    tag: str
    value: bytes
    malformed: str = ""

    @property
    def critical(self) -> bool:
        """The Issuer Critical Flag (RFC 8659 §4.1)."""
        return bool(self.flags & ISSUER_CRITICAL)

    @property
    def tag_key(self) -> str:
        """The tag in lower case for comparison, or "" when malformed (then it matches no
        property: CAA-SYN-02 "a malformed tag MUST be treated as an unknown property")."""
        return "" if self.malformed else self.tag.lower()

    @property
    def known(self) -> bool:
        return self.tag_key in KNOWN_TAGS

    @property
    def value_text(self) -> str:
        return escape_text(self.value)

    def presentation(self) -> str:
        """``flags tag "value"`` as in a zone file (RFC 8659 §4.1.1)."""
        return f'{self.flags} {self.tag} "{self.value_text}"'

    def as_json(self) -> dict[str, Any]:
        """The ``records`` entry of the CLI's JSON: ``flags``, ``tag``, ``value``."""
        return {"flags": self.flags, "tag": self.tag, "value": self.value_text}


def parse_caa_rdata(rdata: bytes) -> CaaRecord:
    """Parse one CAA RDATA (RFC 8659 §4.1, CAA-SYN-01..03); never raises.

    RDATA shorter than two octets has no readable tag: it comes back malformed with the
    critical flag set, so that it can only ever forbid (we cannot know what it said).
    """
    if len(rdata) < 2:
        return CaaRecord(ISSUER_CRITICAL, "", b"", f"RDATA of {len(rdata)} octets (at least 2)")
    flags, tag_length = rdata[0], rdata[1]
    if tag_length == 0:
        return CaaRecord(flags, "", rdata[2:], "tag length 0 (RFC 8659 §4.1: at least 1)")
    if 2 + tag_length > len(rdata):
        return CaaRecord(
            flags, escape_text(rdata[2:]), b"", f"tag length {tag_length} runs past the RDATA"
        )
    tag = rdata[2 : 2 + tag_length]
    value = rdata[2 + tag_length :]
    if not _TAG.match(tag):
        return CaaRecord(
            flags, escape_text(tag), value, "tag holds characters other than ASCII letters/digits"
        )
    return CaaRecord(flags, tag.decode("ascii"), value)


@dataclass(frozen=True, slots=True)
class Parameter:
    """One ``tag=value`` of an issuer value; ``tag`` is compared in lower case (CAA-PAR-04)."""

    tag: str
    value: str

    @property
    def key(self) -> str:
        return self.tag.lower()


@dataclass(frozen=True, slots=True)
class IssuerValue:
    """The value of an ``issue``, ``issuewild`` or ``issuemail`` property (RFC 8659 §4.2).

    ``issuer_domain`` is the issuer-domain-name in lower case, "" when absent (``";"``: no
    issuer is authorised, CAA-ISS-02).  ``malformed`` is the reason the value does not follow
    the grammar ("" when it does); a malformed value authorises nobody (CAA-ISS-04).
    """

    issuer_domain: str
    parameters: tuple[Parameter, ...] = ()
    malformed: str = ""

    @property
    def authorizes_someone(self) -> bool:
        return not self.malformed and bool(self.issuer_domain)

    def parameter_values(self, key: str) -> list[str]:
        return [p.value for p in self.parameters if p.key == key]


def parse_issuer_value(value: bytes) -> IssuerValue:
    """Parse an issue/issuewild/issuemail value by the ABNF in the module docstring; never
    raises.  Any octet outside the grammar (control characters, non-ASCII) makes it malformed."""
    for octet in value:
        if octet != 0x09 and not 0x20 <= octet < 0x7F:
            return IssuerValue("", (), f"octet \\{octet:03d} is not allowed in the value")
    text = value.decode("ascii")
    pos = _skip_wsp(text, 0)
    start = pos
    while pos < len(text) and text[pos] not in _WSP and text[pos] != ";":
        pos += 1
    issuer = text[start:pos]
    if issuer:
        problem = issuer_domain_problem(issuer)
        if problem:
            return IssuerValue("", (), problem)
    pos = _skip_wsp(text, pos)
    if pos == len(text):
        return IssuerValue(issuer.lower())
    if text[pos] != ";":
        return IssuerValue("", (), f"expected ';' after the issuer domain name at {pos}")
    pos = _skip_wsp(text, pos + 1)
    parameters: list[Parameter] = []
    while pos < len(text):
        parameter, pos, problem = _parameter(text, pos)
        if parameter is None:
            return IssuerValue("", (), problem)
        parameters.append(parameter)
        pos = _skip_wsp(text, pos)
        if pos == len(text):
            break
        if text[pos] != ";":
            return IssuerValue("", (), f"expected ';' between parameters at {pos}")
        pos = _skip_wsp(text, pos + 1)
        if pos == len(text):
            return IssuerValue("", (), "';' not followed by a parameter")
    return IssuerValue(issuer.lower(), tuple(parameters))


def _skip_wsp(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WSP:
        pos += 1
    return pos


def issuer_domain_problem(issuer: str) -> str:
    """Why ``issuer`` is not an issuer-domain-name of RFC 8659 §4.2 ("" when it is one)."""
    for label in issuer.split("."):
        if not _LABEL.match(label):
            return f"issuer domain name {issuer!r}: label {label!r} breaks the LDH grammar"
    return ""


def _parameter(text: str, pos: int) -> tuple[Parameter | None, int, str]:
    start = pos
    while pos < len(text) and (text[pos].isalnum() or text[pos] == "-"):
        pos += 1
    tag = text[start:pos]
    if not tag or not _LABEL.match(tag):
        return None, pos, f"parameter tag {tag!r} at {start} breaks the grammar"
    pos = _skip_wsp(text, pos)
    if pos == len(text) or text[pos] != "=":
        return None, pos, f"parameter {tag!r} without '='"
    pos = _skip_wsp(text, pos + 1)
    start = pos
    while pos < len(text) and text[pos] in _PARAM_VALUE_CHARS:
        pos += 1
    return Parameter(tag, text[start:pos]), pos, ""


# -- RFC 8657 parameters -----------------------------------------------------------------------


class ParameterCheck(enum.Enum):
    SATISFIED = "satisfied"
    ACCOUNT_URI = "accounturi-not-satisfied"
    VALIDATION_METHOD = "validationmethods-not-satisfied"


@dataclass(frozen=True, slots=True)
class ParameterOutcome:
    check: ParameterCheck
    detail: str = ""
    ignored: tuple[str, ...] = field(default=())

    @property
    def satisfied(self) -> bool:
        return self.check is ParameterCheck.SATISFIED


#: Parameters with a defined meaning here (RFC 8657 §3, §4); others are ignored (CAA-ISS-08).
KNOWN_PARAMETERS: Final = frozenset({"accounturi", "validationmethods"})


def check_parameters(
    value: IssuerValue, *, account_uri: str | None, validation_method: str | None
) -> ParameterOutcome:
    """Whether a property naming this CA authorises this request (RFC 8657 §3-4).

    - ``accounturi`` (CAA-PAR-01): the request's account URI must equal it exactly; a property
      with several ``accounturi``, or one that is not a URI, is unsatisfiable; a request
      without an account URI satisfies no ``accounturi``.
    - ``validationmethods`` (CAA-PAR-02): a comma-separated list of method names (labels);
      the request's method must be one of them, compared exactly; several such parameters or
      a malformed list make the property unsatisfiable.
    - other parameters are ignored and reported in ``ignored`` (CAA-ISS-08).
    """
    ignored = tuple(p.tag for p in value.parameters if p.key not in KNOWN_PARAMETERS)
    uris = value.parameter_values("accounturi")
    if uris:
        if len(uris) > 1:
            return ParameterOutcome(
                ParameterCheck.ACCOUNT_URI, "several accounturi parameters (RFC 8657 §3)", ignored
            )
        if not _URI_SCHEME.match(uris[0]):
            return ParameterOutcome(
                ParameterCheck.ACCOUNT_URI, f"accounturi {uris[0]!r} is not a URI", ignored
            )
        if account_uri is None:
            return ParameterOutcome(
                ParameterCheck.ACCOUNT_URI, "accounturi set, request has no account URI", ignored
            )
        if account_uri != uris[0]:
            return ParameterOutcome(
                ParameterCheck.ACCOUNT_URI,
                f"accounturi {uris[0]!r} is not the request's account",
                ignored,
            )
    methods = value.parameter_values("validationmethods")
    if methods:
        if len(methods) > 1:
            return ParameterOutcome(
                ParameterCheck.VALIDATION_METHOD,
                "several validationmethods parameters (RFC 8657 §4)",
                ignored,
            )
        names = methods[0].split(",")
        if not all(_LABEL.match(name) for name in names):
            return ParameterOutcome(
                ParameterCheck.VALIDATION_METHOD,
                f"validationmethods {methods[0]!r} is not a list of method names",
                ignored,
            )
        if validation_method is None:
            return ParameterOutcome(
                ParameterCheck.VALIDATION_METHOD,
                "validationmethods set, request names no validation method",
                ignored,
            )
        if validation_method not in names:
            return ParameterOutcome(
                ParameterCheck.VALIDATION_METHOD,
                f"validation method {validation_method!r} is not in {methods[0]!r}",
                ignored,
            )
    return ParameterOutcome(ParameterCheck.SATISFIED, "", ignored)


# -- iodef (RFC 8659 §4.4) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Iodef:
    """An ``iodef`` URL (CAA-IODEF-01): recorded for the CA's reporting, never a permission.

    ``supported`` is True for ``mailto:`` and ``https:``/``http:`` URLs made of printable ASCII
    (RFC 8659 §4.4 names these schemes); anything else is kept, escaped, and not acted on.
    """

    url: str
    scheme: str
    supported: bool

    def as_json(self) -> dict[str, Any]:
        return {"url": self.url, "scheme": self.scheme, "supported": self.supported}


def parse_iodef(value: bytes) -> Iodef:
    url = escape_text(value)
    printable = all(0x21 <= octet < 0x7F for octet in value) and bool(value)
    match = _URI_SCHEME.match(url) if printable else None
    scheme = match.group(0)[:-1].lower() if match else ""
    return Iodef(url, scheme, printable and scheme in ("mailto", "https", "http"))


__all__ = [
    "CAA_TYPE",
    "ISSUER_CRITICAL",
    "KNOWN_TAGS",
    "CaaRecord",
    "Iodef",
    "IssuerValue",
    "Parameter",
    "ParameterCheck",
    "ParameterOutcome",
    "Tag",
    "check_parameters",
    "escape_text",
    "issuer_domain_problem",
    "parse_caa_rdata",
    "parse_iodef",
    "parse_issuer_value",
]
