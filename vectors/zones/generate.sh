#!/usr/bin/env bash
# generate.sh — make the signed test zones of vectors/zones/ (dnssec-core test vectors).
#
# WHAT IT MAKES (all under vectors/zones/, see README.md there for the full description)
#   src/example.zone               unsigned template of zone example.com. (hand-written, committed;
#                                  only its DS block for secure.example.com. is rewritten here)
#   src/Ksecure.example.com.+013+* child KSK of the secure delegation (its DS is in the template)
#   <signer>-alg<N>-<denial>/      one directory per variant, holding
#       zone.signed                the signed zone (absolute owner names, one RR per line)
#       K*.key, K*.private         the throwaway KSK (flags 257) and ZSK (flags 256), made by the
#                                  signer's own key generator (dnssec-keygen or ldns-keygen)
#       ds.txt                     DS of the KSK, `dnssec-dsfromkey -a SHA-1 -a SHA-256 -a SHA-384`
#   broken/*.signed                mutation-test zones derived from bind-alg13-nsec
#   manifest.json                  every variant and broken zone, with key tags, NSEC3 parameters,
#                                  validity window and the number of signed RRsets
#   verification.txt               what dnssec-verify, ldns-verify-zone and dnspython said
#
# TOOLS (versions used for the committed output)
#   BIND 9.18.49-1~deb12u1-Debian: dnssec-keygen, dnssec-signzone, dnssec-dsfromkey, dnssec-verify
#   ldns 1.8.3: ldns-keygen, ldns-signzone, ldns-verify-zone
#   Python 3.11 + dnspython 2.9.2 (zonetool.py: template DS block, mutations, cross-check, manifest)
#
# VALIDITY: every RRSIG of a good zone has inception 20260101000000 and expiration 20860101000000
# (UTC), fixed, so the tests pass with any `now` in 2026..2085 (they use 20261201000000).
#
# THE OUTPUT IS COMMITTED.  CI never runs this script (it needs BIND and ldns and is not
# reproducible byte for byte: ECDSA signatures are randomised, keys are random).
#
# IDEMPOTENT: existing keys are kept and existing signed zones are not re-signed, so a second run
# changes nothing; ds.txt, manifest.json and verification.txt are recomputed (deterministically).
#   ./generate.sh              make what is missing, verify everything, rewrite the manifest
#   ./generate.sh --force      re-sign every zone (and the broken set) with the existing keys
#   ./generate.sh --new-keys   throw away all keys (also the child key) and start again
# Exit status is non-zero if any tool or check disagrees with what README.md promises.
set -euo pipefail
export LC_ALL=C TZ=UTC

HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"

ORIGIN=example.com.
INCEPTION=20260101000000
EXPIRATION=20860101000000
CHECK_TIME=20261201000000       # the `now` the checks and tests use
SHADOW_EXPIRATION=20371231000000 # ldns-verify-zone shadow signing, see check_variant
TEMPLATE=src/example.zone
PY=${PYTHON:-python3}

FORCE=0
NEWKEYS=0
for arg in "$@"; do
    case $arg in
        --force) FORCE=1 ;;
        --new-keys) FORCE=1; NEWKEYS=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

for tool in dnssec-keygen dnssec-signzone dnssec-dsfromkey dnssec-verify \
            ldns-keygen ldns-signzone ldns-verify-zone; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
BIND_VERSION=$(dnssec-signzone -V 2>&1 | awk '{print $NF}')
LDNS_VERSION=$(ldns-signzone -v 2>&1 | awk '{print $NF}' | tr -d ')')

# name  signer  algorithm  denial
VARIANTS=()
for signer in bind ldns; do
    for alg in 8 10 13 14 15 16; do
        case $alg in
            8|13) denials="nsec nsec3 nsec3-salted nsec3-optout" ;;
            15)   denials="nsec nsec3" ;;
            *)    denials="nsec" ;;
        esac
        for denial in $denials; do
            VARIANTS+=("$signer-alg$alg-$denial $signer $alg $denial")
        done
    done
done

alg_name() {
    case $1 in
        8) echo RSASHA256 ;; 10) echo RSASHA512 ;; 13) echo ECDSAP256SHA256 ;;
        14) echo ECDSAP384SHA384 ;; 15) echo ED25519 ;; 16) echo ED448 ;;
        *) echo "no algorithm $1" >&2; return 1 ;;
    esac
}
alg_bits() { case $1 in 8|10) echo "-b 2048" ;; *) echo "" ;; esac; }

# flags of a .key file (its DNSKEY line), and its base name without .key
key_flags() { grep -v '^;' "$1" | awk '{for (i = 1; i <= NF; i++) if ($i == "DNSKEY") {print $(i+1); exit}}'; }
ksk_of() { for k in "$1"/K*.key; do [ -e "$k" ] && [ "$(key_flags "$k")" = 257 ] && echo "${k%.key}"; done; true; }
zsk_of() { for k in "$1"/K*.key; do [ -e "$k" ] && [ "$(key_flags "$k")" = 256 ] && echo "${k%.key}"; done; true; }
# DS lines of a key file; BIND 9.18 warns "DS digest type 0 is deprecated" when SHA-1 is asked for
# together with other digests (a cosmetic bug of its warning), so stderr is shown only on failure
ds_lines() {  # keyfile digest...
    local key=$1 args=() d; shift
    for d in "$@"; do args+=(-a "$d"); done
    if ! dnssec-dsfromkey "${args[@]}" "$key" 2>"$WORK/ds.err"; then cat "$WORK/ds.err" >&2; return 1; fi
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- the child key of secure.example.com. and the DS block of the template --------------------
child_key() {
    if [ "$NEWKEYS" = 1 ]; then rm -f src/Ksecure.example.com.+*; fi
    if ! ls src/Ksecure.example.com.+*.key >/dev/null 2>&1; then
        dnssec-keygen -q -K src -a ECDSAP256SHA256 -f KSK -P "$INCEPTION" -A "$INCEPTION" \
            -n ZONE secure.example.com. >/dev/null
    fi
    ds_lines src/Ksecure.example.com.+*.key SHA-256 SHA-384 > "$WORK/child.ds"
    "$PY" zonetool.py set-ds "$TEMPLATE" "$WORK/child.ds"
}

# --- keys of one variant ----------------------------------------------------------------------
make_keys() {  # dir signer alg
    local dir=$1 signer=$2 alg=$3 name bits
    name=$(alg_name "$alg"); bits=$(alg_bits "$alg")
    if [ "$NEWKEYS" = 1 ]; then rm -f "$dir"/K*; fi
    if [ -n "$(ksk_of "$dir")" ] && [ -n "$(zsk_of "$dir")" ]; then return 0; fi
    rm -f "$dir"/K*
    case $signer in
        bind)
            # shellcheck disable=SC2086  # $bits is empty or two words
            dnssec-keygen -q -K "$dir" -a "$name" $bits -f KSK -P "$INCEPTION" -A "$INCEPTION" \
                -n ZONE "$ORIGIN" >/dev/null
            # shellcheck disable=SC2086
            dnssec-keygen -q -K "$dir" -a "$name" $bits -P "$INCEPTION" -A "$INCEPTION" \
                -n ZONE "$ORIGIN" >/dev/null ;;
        ldns)
            while :; do   # ldns-keygen does not avoid key-tag collisions by itself
                rm -f "$dir"/K*
                # shellcheck disable=SC2086
                (cd "$dir" && ldns-keygen -r /dev/urandom -a "$name" $bits -k "$ORIGIN" >/dev/null \
                    && ldns-keygen -r /dev/urandom -a "$name" $bits "$ORIGIN" >/dev/null)
                rm -f "$dir"/K*.ds   # ldns-keygen's own DS file; ds.txt is the reference
                [ "$(ls "$dir"/K*.key | wc -l)" = 2 ] && break
            done ;;
    esac
    echo "$dir: new keys KSK $(basename "$(ksk_of "$dir")") ZSK $(basename "$(zsk_of "$dir")")"
}

# --- signing ----------------------------------------------------------------------------------
denial_args() {  # signer denial
    case "$1 $2" in
        "bind nsec")          echo "" ;;
        "bind nsec3")         echo "-3 - -H 0" ;;
        "bind nsec3-salted")  echo "-3 aabbccdd -H 10" ;;
        "bind nsec3-optout")  echo "-3 - -H 0 -A" ;;
        "ldns nsec")          echo "" ;;
        "ldns nsec3")         echo "-n -a 1 -t 0" ;;
        "ldns nsec3-salted")  echo "-n -a 1 -t 10 -s aabbccdd" ;;
        "ldns nsec3-optout")  echo "-n -a 1 -t 0 -p" ;;
    esac
}

sign() {  # signer keydir denial inception expiration output [extra dnssec-signzone option]
    local signer=$1 dir=$2 denial=$3 inc=$4 exp=$5 out=$6 extra=${7:-} args
    args="$(denial_args "$signer" "$denial") $extra"
    rm -f "$WORK/out.signed"
    case $signer in
        bind)
            # -S: use the keys found in -K (KSK signs DNSKEY, ZSK the rest; BIND 9.18 signs the
            # DNSKEY RRset with the ZSK too). -O full: one RR per line, absolute names.
            # shellcheck disable=SC2086
            (cd "$WORK" && dnssec-signzone -q -S -K "$HERE/$dir" -o "$ORIGIN" -N keep -O full \
                -s "$inc" -e "$exp" $args -f "$WORK/out.signed" "$HERE/$TEMPLATE" >/dev/null) ;;
        ldns)
            # ldns-signzone: KSK (flags 257, from the .key file) signs only DNSKEY, ZSK the rest.
            # shellcheck disable=SC2086
            ldns-signzone -o "$ORIGIN" -i "$inc" -e "$exp" $args -f "$WORK/out.signed" \
                "$TEMPLATE" "$(ksk_of "$dir")" "$(zsk_of "$dir")" ;;
    esac
    mv "$WORK/out.signed" "$out"
}

# --- checks -----------------------------------------------------------------------------------
REPORT="$WORK/verification.txt"
FAILED=0
note() { printf '%s\n' "$*" >> "$REPORT"; }
fail() { echo "CHECK FAILED: $*" >&2; note "CHECK FAILED: $*"; FAILED=1; }

# ldns-verify-zone 1.8.3 compares RRSIG times as signed 32-bit integers (ldns_rrsig_check_timestamps,
# `expiration - inception < 0` on int32_t), so any RRSIG expiring after 2038-01-19 is reported as
# "expiration date earlier than inception date".  It checks the times only AFTER the signature has
# verified cryptographically, so on our zones that message for every RRSIG, and nothing else,
# means: all signatures verify and the NSEC/NSEC3 chain is fine.  In addition the same template is
# signed again with the same keys and denial parameters but expiring 2037-12-31 (the "shadow"
# zone, not committed), which ldns-verify-zone must accept outright.
ldns_check_committed() {  # zone.signed -> prints a one-line verdict, returns 1 on anything else
    local zone=$1 out nsigs nexp nother
    out=$(ldns-verify-zone -t "$CHECK_TIME" "$zone" 2>&1) || true
    nsigs=$(awk '$4 == "RRSIG"' "$zone" | wc -l)
    nexp=$(grep -c 'expiration date earlier than inception date' <<<"$out" || true)
    nother=$(grep -v 'expiration date earlier than inception date' <<<"$out" \
             | grep -vc '^There were errors in the zone$' || true)
    if [ "$nexp" = "$nsigs" ] && [ "$nother" = 0 ]; then
        echo "crypto+chain OK ($nsigs RRSIGs; each reported only as 'expiration earlier than inception', the int32 time bug)"
    else
        echo "UNEXPECTED: $nexp/$nsigs time messages, $nother other lines: $(grep -v 'expiration date earlier' <<<"$out" | head -3 | tr '\n' '|')"
        return 1
    fi
}

check_variant() {  # name signer alg denial
    local name=$1 signer=$2 alg=$3 denial=$4 out v
    if out=$(dnssec-verify -o "$ORIGIN" "$name/zone.signed" 2>&1); then
        v="OK ($(grep -c '^Zone fully signed' <<<"$out")x 'Zone fully signed'; $(grep 'KSKs' <<<"$out" | sed 's/^Algorithm: *//; s/ \+/ /g'))"
    else
        v="FAILED"; fail "$name: dnssec-verify: $(tail -2 <<<"$out" | tr '\n' ' ')"
    fi
    note "$name  dnssec-verify: $v"
    if v=$(ldns_check_committed "$name/zone.signed"); then :; else fail "$name: ldns-verify-zone: $v"; fi
    note "$name  ldns-verify-zone -t $CHECK_TIME: $v"
    sign "$signer" "$name" "$denial" "$INCEPTION" "$SHADOW_EXPIRATION" "$WORK/shadow.signed"
    if out=$(ldns-verify-zone -t "$CHECK_TIME" "$WORK/shadow.signed" 2>&1); then
        v="OK ($(tail -1 <<<"$out"))"
    else
        v="FAILED"; fail "$name: ldns-verify-zone on shadow zone: $(head -3 <<<"$out" | tr '\n' ' ')"
    fi
    note "$name  ldns-verify-zone -t $CHECK_TIME, shadow zone (same keys, expiring $SHADOW_EXPIRATION): $v"
    if out=$("$PY" zonetool.py check "$name/zone.signed" "$CHECK_TIME" 2>&1); then
        v="$(tail -1 <<<"$out")"
    else
        v="FAILED"; fail "$name: dnspython: $out"
    fi
    note "$name  $v"
}

# --- main -------------------------------------------------------------------------------------
child_key
# Re-sign everything when the template differs from the one the committed zones were signed from
# (its SHA-256 is recorded in manifest.json; content, not mtime, so a fresh clone is not "stale").
TEMPLATE_SHA=$(sha256sum "$TEMPLATE" | awk '{print $1}')
SIGNED_SHA=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("template_sha256", ""))' \
    manifest.json 2>/dev/null || true)
if [ "$TEMPLATE_SHA" != "$SIGNED_SHA" ] && [ "$FORCE" = 0 ]; then
    echo "template changed (or no manifest): re-signing every zone"
    FORCE=1
fi
: > "$WORK/variants.tsv"
for entry in "${VARIANTS[@]}"; do
    read -r name signer alg denial <<<"$entry"
    mkdir -p "$name"
    make_keys "$name" "$signer" "$alg"
    if [ "$FORCE" = 1 ] || [ ! -s "$name/zone.signed" ]; then
        sign "$signer" "$name" "$denial" "$INCEPTION" "$EXPIRATION" "$name/zone.signed"
        echo "$name: signed"
    fi
    ds_lines "$(ksk_of "$name").key" SHA-1 SHA-256 SHA-384 > "$name/ds.txt"
    version=$BIND_VERSION; [ "$signer" = ldns ] && version=$LDNS_VERSION
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$signer" "$version" "$alg" "$(alg_name "$alg")" \
        "$denial" >> "$WORK/variants.tsv"
done

# --- broken set (mutation tests), all from bind-alg13-nsec --------------------------------------
BASE=bind-alg13-nsec
mkdir -p broken
# name  base  owner  type  expected reason (dnssec-core)  description
cat > "$WORK/broken.tsv" <<EOF
expired	$BASE	*	*	signature-expired	the whole zone re-signed with the same keys, window 20200101000000-20201231000000: every RRSIG expired
notyet	$BASE	*	*	signature-not-yet-valid	the whole zone re-signed with the same keys, window 20700101000000-20800101000000: no RRSIG valid yet
missing-rrsig	$BASE	www.example.com.	A	rrsigs-missing	the only RRSIG covering www.example.com. A (ZSK) removed; everything else untouched
bad-sig	$BASE	mail.example.com.	A	signature-invalid	one base64 character (the 11th) of the signature of the RRSIG covering mail.example.com. A changed to the next base64 digit
EOF
stale() { [ "$FORCE" = 1 ] || [ ! -s "$1" ]; }
if stale broken/expired.signed; then
    # -P: BIND's post-signing verification (wall clock) would refuse the window
    sign bind "$BASE" nsec 20200101000000 20201231000000 broken/expired.signed -P
fi
if stale broken/notyet.signed; then
    sign bind "$BASE" nsec 20700101000000 20800101000000 broken/notyet.signed -P
fi
if stale broken/missing-rrsig.signed; then
    "$PY" zonetool.py drop-rrsig "$BASE/zone.signed" broken/missing-rrsig.signed www.example.com. A
fi
if stale broken/bad-sig.signed; then
    "$PY" zonetool.py flip-sig "$BASE/zone.signed" broken/bad-sig.signed mail.example.com. A
fi

# --- verification -----------------------------------------------------------------------------
note "# Verification of vectors/zones (written by generate.sh; do not edit)"
note "# BIND $BIND_VERSION dnssec-verify, ldns $LDNS_VERSION ldns-verify-zone, $("$PY" -c 'import dns.version; print("dnspython", dns.version.version)')"
note "# time used by ldns-verify-zone and dnspython: $CHECK_TIME (dnssec-verify has no time option: it checks validity against the wall clock, which must be inside 2026-2085)"
note ""
for entry in "${VARIANTS[@]}"; do
    read -r name signer alg denial <<<"$entry"
    check_variant "$name" "$signer" "$alg" "$denial"
done
note ""
note "# broken/ (each must FAIL; the message of each tool is recorded)"
while IFS=$'\t' read -r bname _base _owner _type _reason _what; do
    f=broken/$bname.signed
    if dnssec-verify -o "$ORIGIN" "$f" >"$WORK/dv.out" 2>"$WORK/dv.err"; then r="accepted"
    else r="rejected: $(sed 's/^dnssec-verify: //' "$WORK/dv.err" | tr '\n' '|')| $(grep . "$WORK/dv.out" | tail -1)"; fi
    note "$bname  dnssec-verify: $r"
    if out=$(ldns-verify-zone -t "$CHECK_TIME" "$f" 2>&1); then r="accepted"; else
        # leave out the int32 noise ("expiration date earlier than inception date") if other lines remain
        msgs=$(grep -v '^There were errors' <<<"$out" | sed 's/[[:space:]]\+/ /g')
        real=$(grep -v 'expiration date earlier than inception date' <<<"$msgs" || true)
        [ -n "$real" ] && msgs=$real
        r="rejected, $(wc -l <<<"$msgs") message(s), e.g.: $(sed 's/ for .*//' <<<"$msgs" | sort | uniq -c | sed 's/^ *//' | tr '\n' ';') first: $(head -1 <<<"$msgs")"
    fi
    note "$bname  ldns-verify-zone -t $CHECK_TIME: $r"
done < "$WORK/broken.tsv"
check_broken() {  # name expect-substring
    local out
    if out=$("$PY" zonetool.py check "broken/$1.signed" "$CHECK_TIME" --expect "$2" 2>&1); then
        note "$1  $(tail -1 <<<"$out")"
        grep 'expected failure' <<<"$out" | head -1 | sed "s/^/$1    e.g. /" >> "$REPORT"
    else
        fail "broken/$1: dnspython: $out"
    fi
}
check_broken expired expired
check_broken notyet "not yet valid"
check_broken missing-rrsig "no RRSIG"
check_broken bad-sig "verify failure"

# what dnssec-verify must say about the two mutated zones
dnssec-verify -o "$ORIGIN" broken/missing-rrsig.signed >/dev/null 2>&1 && fail "missing-rrsig accepted by dnssec-verify"
dnssec-verify -o "$ORIGIN" broken/bad-sig.signed >/dev/null 2>&1 && fail "bad-sig accepted by dnssec-verify"
out=$(ldns-verify-zone -t "$CHECK_TIME" broken/bad-sig.signed 2>&1 || true)
grep -q 'Bogus DNSSEC signature for mail.example.com.' <<<"$out" \
    || fail "bad-sig: ldns-verify-zone did not report a bogus signature"
out=$(ldns-verify-zone -t "$CHECK_TIME" broken/missing-rrsig.signed 2>&1 || true)
grep -q 'no signatures for www.example.com.' <<<"$out" \
    || fail "missing-rrsig: ldns-verify-zone did not report the missing signature"

"$PY" zonetool.py manifest "$WORK/variants.tsv" "$WORK/broken.tsv" manifest.json "$TEMPLATE_SHA"
cp "$REPORT" verification.txt
du -sh "$HERE" | awk '{print "vectors/zones size: " $1}'
if [ "$FAILED" = 1 ]; then echo "some checks FAILED, see verification.txt" >&2; exit 1; fi
echo "all checks passed"
