#!/usr/bin/env bash
# generate.sh — rebuild the caatestsuite.com test zones as an offline, DNSSEC-signed lab for
# dnssec-core's CAA tests (issue 6).  Its output is committed; CI never runs this script.
#
# UPSTREAM (verbatim, Apache-2.0, see LICENSE): zones/ and website/index.html from
# https://github.com/SSLMate/caatestsuite (the zone files and the list of tests with their
# expected outcome).  Upstream's DNSSEC zones were signed with RSASHA1 keys whose private
# halves were never published (only zones/K*.key), and their signatures are long expired, so
# they cannot be served as they are.  This script makes a lab copy under lab/:
#
#   lab/src/root.zone, lab/src/com.zone   OURS: a root and a com. for the lab; com. delegates
#                                         caatestsuite.com. unsigned (no DS: its NSEC proves
#                                         the zone insecure) and caatestsuite-dnssec.com. signed.
#   lab/keys/K<zone>+013+<tag>.*          THROWAWAY TEST KEYS (ECDSAP256SHA256, one combined
#                                         signing key per zone), published on purpose; never
#                                         use them for anything real.  They replace upstream's
#                                         RSASHA1 keys.
#   lab/zones/<zone>.zone                 what the lab serves (root.zone for the root):
#     root, com.                          signed, NSEC
#     caatestsuite.com.                   upstream's file; glue/NS addresses moved to loopback
#     ipv6only.caatestsuite.com.          upstream's file, unchanged (unsigned)
#     caatestsuite-dnssec.com.            upstream's file without its $INCLUDEd RSASHA1 keys and
#                                         old DS records; new DS records for its five children;
#                                         addresses moved to loopback; signed, NSEC
#     expired.caatestsuite-dnssec.com.    upstream's file, signed 20250101000000..20251231000000
#                                         (expired at any time the tests use)
#     missing.caatestsuite-dnssec.com.    upstream's file with its DNSKEY but NO signatures
#                                         (its DS is in the parent: "signatures missing")
#   blackhole., servfail., refused.caatestsuite-dnssec.com. have keys (their DS is in the
#   parent, as upstream) but no zone: their servers never answer, answer SERVFAIL, or REFUSE
#   (lab/world.json "failing"; the tests inject exactly that).
#   lab/root-anchor.txt                   the lab's trust anchor: DS (SHA-256) of the root key.
#
# ADDRESSES (lab/world.json): root 127.0.1.1, com. 127.0.1.2, caatestsuite.com. (ns0/ns1)
# 127.0.1.3, caatestsuite-dnssec.com. and its children (ns0/ns1) 127.0.1.4, nsblackhole
# 127.0.1.5, nsrefused 127.0.1.6; upstream's nsipv6 AAAA becomes ::1.
#
# VALIDITY: fixed window inception 20260101000000, expiration 20860101000000 (UTC), except
# expired.caatestsuite-dnssec.com.  Keys in lab/keys are reused when present, so the anchor and
# the DS records stay the same; "./generate.sh --new-keys" makes new ones.
#
# REQUIRES: BIND 9.18 tools (dnssec-keygen, dnssec-signzone, dnssec-dsfromkey, dnssec-verify).
# CHECKS: dnssec-verify accepts every signed zone except expired.caatestsuite-dnssec.com.,
# which it must reject.

set -euo pipefail
cd "$(dirname "$0")"

INCEPTION=20260101000000
EXPIRATION=20860101000000
EXPIRED_INCEPTION=20250101000000
EXPIRED_EXPIRATION=20251231000000

for tool in dnssec-keygen dnssec-signzone dnssec-dsfromkey dnssec-verify; do
    command -v "$tool" >/dev/null || { echo "generate.sh: $tool not found" >&2; exit 2; }
done
if [[ "${1:-}" == "--new-keys" ]]; then
    rm -rf lab/keys
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--new-keys]" >&2
    exit 2
fi
mkdir -p lab/keys lab/zones
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
log() { echo "generate.sh: $*" >&2; }

# key ZONE: the base path of ZONE's key (lab/keys/K...), made when there is none.
key() {
    local f name
    for f in lab/keys/K"$1"+013+*.key; do
        [[ -e "$f" ]] && { echo "${f%.key}"; return; }
    done
    name=$(dnssec-keygen -q -K lab/keys -a ECDSAP256SHA256 -f KSK -L 3600 -n ZONE "$1")
    log "new key lab/keys/$name"
    echo "lab/keys/$name"
}

out_of() { if [[ $1 == "." ]]; then echo lab/zones/root.zone; else echo "lab/zones/${1}zone"; fi; }

# upstream ZONE: upstream's file without $INCLUDE lines (their RSASHA1 keys) and without its
# DS records (made for those keys), addresses moved to loopback.
upstream() {
    grep -v '^\$INCLUDE' "zones/$1" | grep -Ev '[[:space:]]IN[[:space:]]+DS[[:space:]]' | sed -E \
        -e "s/45\\.79\\.179\\.40/$2/" \
        -e 's/97\.107\.135\.226/127.0.1.5/' \
        -e 's/128\.148\.32\.121/127.0.1.6/' \
        -e 's/2600:3c03:e000:45f::/::1/'
}

# tidy FILE: drop signer comments, blank lines and trailing blanks.
tidy() {
    grep -v '^;' "$1" | grep -v '^[[:space:]]*$' | sed -E 's/[[:space:]]+$//' >"$1.tmp"
    mv "$1.tmp" "$1"
}

# sign ZONE INPUT INCEPTION EXPIRATION: one combined key signs everything (-z), NSEC.
sign() {
    local k
    k=$(key "$1")
    cp "$2" "$WORK/in"
    grep -v '^;' "$k.key" >>"$WORK/in"
    dnssec-signzone -q -P -N keep -O full -x -z -n 1 -d "$WORK" -o "$1" -s "$3" -e "$4" \
        -f "$(out_of "$1")" "$WORK/in" "$k" >/dev/null
    tidy "$(out_of "$1")"
}

# ds ZONE: the DS (SHA-256) of ZONE's key, as its parent carries it.
ds() { dnssec-dsfromkey -T 3600 -a SHA-256 "$(key "$1").key"; }

D=caatestsuite-dnssec.com.

# unsigned zones, served as upstream wrote them (addresses on loopback)
upstream caatestsuite.com. 127.0.1.3 >"$(out_of caatestsuite.com.)"
cp zones/ipv6only.caatestsuite.com. "$(out_of ipv6only.caatestsuite.com.)"

# "signatures missing": the DNSKEY is published and its DS is in the parent, nothing is signed
upstream "missing.$D" 127.0.1.4 >"$(out_of "missing.$D")"
grep -v '^;' "$(key "missing.$D").key" >>"$(out_of "missing.$D")"

# "signatures expired"
upstream "expired.$D" 127.0.1.4 >"$WORK/expired"
sign "expired.$D" "$WORK/expired" "$EXPIRED_INCEPTION" "$EXPIRED_EXPIRATION"

# the signed parent of the DNSSEC cases, with a DS for each child (blackhole, servfail and
# refused get keys only for their DS: they have no zone to sign)
upstream "$D" 127.0.1.4 >"$WORK/dnssec"
for child in expired missing blackhole servfail refused; do ds "$child.$D" >>"$WORK/dnssec"; done
sign "$D" "$WORK/dnssec" "$INCEPTION" "$EXPIRATION"

cp lab/src/com.zone "$WORK/com"
ds "$D" >>"$WORK/com"
sign com. "$WORK/com" "$INCEPTION" "$EXPIRATION"

cp lab/src/root.zone "$WORK/root"
ds com. >>"$WORK/root"
sign . "$WORK/root" "$INCEPTION" "$EXPIRATION"
ds . >lab/root-anchor.txt

for zone in . com. "$D"; do
    dnssec-verify -q -x -o "$zone" "$(out_of "$zone")" || { log "dnssec-verify rejects $zone"; exit 1; }
done
if dnssec-verify -q -x -o "expired.$D" "$(out_of "expired.$D")" >/dev/null 2>&1; then
    log "expired.$D should be rejected (expired signatures)"
    exit 1
fi
log "done: lab/zones, lab/keys, lab/root-anchor.txt"
