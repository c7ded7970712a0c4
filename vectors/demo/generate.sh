#!/usr/bin/env bash
# generate.sh — build and sign dnssec-core's offline demo world (issue 5, "The offline demo world";
# issue 6, the CAA cases).  Its output is committed; CI never runs this script.
#
# WHAT IT MAKES, under vectors/demo/ (paths relative to this directory):
#   keys/K<zone>+<alg>+<tag>.key/.private  THROWAWAY TEST KEYS, published on purpose; never use them
#                                          for anything real.
#   zones/<zone>.zone                      the zone files the demo servers serve (zones/root.zone is
#                                          the root); signed zones are one record per line.
#   root-anchor.txt                        the world's trust anchor: the DS (SHA-256) of the root KSK.
# from the hand-written unsigned sources in src/ (every NS name, glue address and record is there;
# this script only adds keys, DS records and signatures, then makes the deliberate breakages).
# world.json is hand-written: it lists the zones with their server addresses and the expected
# outcome of every case; tests/demo/test_world_files.py checks it against these files, and
# check_with_unbound.sh checks the expectations with NSD + Unbound.
#
# THE HIERARCHY (signed bottom-up: children first, so each parent can carry their DS):
#   .                 127.0.0.2   alg 13 KSK+ZSK, NSEC, dnssec-signzone; DS of test.
#   test.             127.0.0.3   alg 13 KSK+ZSK, NSEC3 opt-out, 0 extra iterations, no salt,
#                                 ldns-signzone; then "worldtool.py optout-hide" removes the NSEC3
#                                 of insecure.test. so that it sits in an opt-out span, while
#                                 unsigned.test. keeps a matching NSEC3 (NS, no DS).
#   secure.test.      127.0.0.4   alg 13 KSK+ZSK, NSEC (A, AAAA, TXT, MX, wildcard, CNAMEs, DNAME, CAA)
#   hashed.test.      127.0.0.5   alg 8 KSK+ZSK (RSA 2048), NSEC3 salt 5CA1AB1E, 5 extra iterations
#   hashed0.test.     127.0.0.6   alg 8 CSK (RSA 2048), NSEC3 no salt, 0 iterations, ldns-signzone
#   iter200.test.     127.0.0.7   alg 13 CSK, NSEC3 200 iterations (over the RFC 9276 cap), ldns-signzone
#   ed.test.          127.0.0.8   alg 15 CSK, NSEC
#   ed448.test.       127.0.0.9   alg 16 CSK, NSEC; its DS in test. uses SHA-384 (digest type 4)
#   insecure.test.    127.0.0.10  unsigned, no DS, in test.'s opt-out span
#   unsigned.test.    127.0.0.11  unsigned, no DS, matching NSEC3 in test.
#   bogus.test.       127.0.0.12  alg 13 KSK+ZSK, NSEC; one byte changed in the RRSIGs over
#                                 www.bogus.test. A and bogus.test. CAA after signing
#   expired.test.     127.0.0.13  alg 13 CSK, NSEC, signed 20250101000000..20251231000000
#   dsmismatch.test.  127.0.0.14  alg 13 CSK, NSEC; the DS in test. has its digest's last digit changed
#   unsupported.test. 127.0.0.15  alg 13 CSK, NSEC; the DS in test. says algorithm 253 (PRIVATEDNS)
#   rsasha512.test.   127.0.0.16  alg 10 KSK+ZSK (RSA/SHA-512, 2048), NSEC
#   p384.test.        127.0.0.17  alg 14 CSK (ECDSA P-384), NSEC3 no salt, 0 iterations
#   notyet.test.      127.0.0.18  alg 13 CSK, NSEC, signed 20700101000000..20800101000000 (not yet
#                                 valid; within RFC 1982 range of now); its DS is correct
#
# VALIDITY: every signature uses the FIXED window inception 20260101000000, expiration
# 20860101000000 (UTC) — except expired.test. and notyet.test. — so the committed files stay valid for decades
# and a test may pass any --now inside the window.
#
# IDEMPOTENT: existing keys in keys/ are reused (so root-anchor.txt and every DS stay the same);
# re-running re-signs everything.  RSA and EdDSA signatures are deterministic; ECDSA ones from
# dnssec-signzone/ldns-signzone are not, so a re-run changes those signature bytes only (record
# order is stable: dnssec-signzone runs single-threaded, -n 1).
# "./generate.sh --new-keys" deletes keys/ first and makes a new world (new anchor).
#
# REQUIRES: BIND 9.18 tools (dnssec-keygen, dnssec-signzone, dnssec-dsfromkey, dnssec-verify),
# ldns tools (ldns-signzone, ldns-verify-zone) and python3 with dnspython + cryptography (for
# worldtool.py).  Debian/Ubuntu: apt-get install -y bind9-utils ldnsutils.
# CHECKS: after signing, every zone is checked by two independent verifiers — dnssec-verify (BIND:
# signatures, NSEC/NSEC3 chain, DNSKEY set) and "worldtool.py check" (dnspython: every RRSIG, at
# 20261201000000) — and the deliberately broken zones are checked to fail exactly as intended.
# ldns-verify-zone is used only for expired.test.: ldns 1.8 compares RRSIG times as signed 32-bit
# numbers rather than with RFC 4034 §3.1.5 serial arithmetic, so it calls every expiration after
# 2038-01-19 (our 2086 included) "earlier than inception".

set -euo pipefail
cd "$(dirname "$0")"

INCEPTION=20260101000000
EXPIRATION=20860101000000
EXPIRED_INCEPTION=20250101000000
EXPIRED_EXPIRATION=20251231000000
NOTYET_INCEPTION=20700101000000
NOTYET_EXPIRATION=20800101000000
CHECK_TIME=20261201000000

for tool in dnssec-keygen dnssec-signzone dnssec-dsfromkey dnssec-verify ldns-signzone ldns-verify-zone python3; do
    command -v "$tool" >/dev/null || { echo "generate.sh: $tool not found (see REQUIRES above)" >&2; exit 2; }
done

if [[ "${1:-}" == "--new-keys" ]]; then
    rm -rf keys
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--new-keys]" >&2
    exit 2
fi
mkdir -p keys zones
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log() { echo "generate.sh: $*" >&2; }

# algorithm number -> dnssec-keygen mnemonic
mnemonic() {
    case $1 in
        8) echo RSASHA256 ;; 10) echo RSASHA512 ;; 13) echo ECDSAP256SHA256 ;; 14) echo ECDSAP384SHA384 ;; 15) echo ED25519 ;; 16) echo ED448 ;;
        *) log "no mnemonic for algorithm $1"; exit 2 ;;
    esac
}

# key ZONE ALG FLAGS: print the base path (keys/K...) of ZONE's key with that algorithm and
# DNSKEY flags (257 = KSK or combined signing key, 256 = ZSK); make it when keys/ has none.
key() {
    local zone=$1 alg=$2 flags=$3 f name
    for f in keys/K"$zone"+"$(printf %03d "$alg")"+*.key; do
        [[ -e "$f" ]] || continue
        if grep -Eq "DNSKEY[[:space:]]+$flags[[:space:]]+3[[:space:]]+$alg[[:space:]]" "$f"; then
            echo "${f%.key}"
            return
        fi
    done
    local opts=(-q -K keys -a "$(mnemonic "$alg")" -L 3600 -n ZONE)
    [[ $alg == 8 || $alg == 10 ]] && opts+=(-b 2048)
    [[ $flags == 257 ]] && opts+=(-f KSK)
    name=$(dnssec-keygen "${opts[@]}" "$zone")
    log "new key keys/$name"
    echo "keys/$name"
}

# src_of ZONE / out_of ZONE: source and output file names (the root is "root").
stem() { if [[ $1 == "." ]]; then echo root; else echo "${1%.}"; fi; }
src_of() { echo "src/$(stem "$1").zone"; }
out_of() { echo "zones/$(stem "$1").zone"; }

# prepare ZONE KEY...: the source, plus the DS records of its signed children (collected by
# ds() in $WORK/ds/<zone>/), plus the DNSKEYs.
prepare() {
    local zone=$1 k
    shift
    cp "$(src_of "$zone")" "$WORK/in"
    if compgen -G "$WORK/ds/$(stem "$zone")/*" >/dev/null; then
        cat "$WORK/ds/$(stem "$zone")"/* >>"$WORK/in"
    fi
    for k in "$@"; do
        grep -v '^;' "$k.key" >>"$WORK/in"
    done
}

# tidy FILE: drop the signers' comments (BIND's "; File written on <date>" and "; resign=...",
# ldns's ";{id = ... (ksk), size = ...}" after DNSKEYs), blank lines and trailing blanks.
tidy() {
    grep -v '^;' "$1" | grep -v '^[[:space:]]*$' |
        sed -E -e 's/[[:space:]]*;\{id = [^}]*\}$//' -e 's/[[:space:]]+$//' >"$1.tmp"
    mv "$1.tmp" "$1"
}

# sign_bind ZONE INCEPTION EXPIRATION [dnssec-signzone options] -- KEY...
sign_bind() {
    local zone=$1 inception=$2 expiration=$3 opts=() keys=()
    shift 3
    while [[ $1 != "--" ]]; do opts+=("$1"); shift; done
    shift
    keys=("$@")
    [[ ${#keys[@]} == 1 ]] && opts+=(-z)  # one combined signing key (CSK) signs everything
    prepare "$zone" "${keys[@]}"
    # -P: no post-sign verification here (expired.test. would fail it); verify() runs after.
    dnssec-signzone -q -P -N keep -O full -x -n 1 -d "$WORK" -o "$zone" \
        -s "$inception" -e "$expiration" \
        "${opts[@]}" -f "$(out_of "$zone")" "$WORK/in" "${keys[@]}" >/dev/null
    tidy "$(out_of "$zone")"
}

# sign_ldns ZONE [ldns-signzone options] -- KEY...   (always NSEC3 here)
sign_ldns() {
    local zone=$1 opts=() keys=()
    shift
    while [[ $1 != "--" ]]; do opts+=("$1"); shift; done
    shift
    keys=("$@")
    prepare "$zone" "${keys[@]}"
    ldns-signzone -n "${opts[@]}" -i "$INCEPTION" -e "$EXPIRATION" -o "$zone" \
        -f "$(out_of "$zone")" "$WORK/in" "${keys[@]}"
    tidy "$(out_of "$zone")"
}

# ds ZONE KEY DIGEST: record the DS of ZONE's KSK for its parent, in $WORK/ds/<parent>/<zone>.
ds() {
    local parent=${1#*.}
    [[ -n $parent ]] || parent=.
    mkdir -p "$WORK/ds/$(stem "$parent")"
    dnssec-dsfromkey -T 3600 -a "$3" "$2.key" >"$WORK/ds/$(stem "$parent")/$(stem "$1")"
}

# sigcheck ZONE TIME: the RRSIGs that dnspython cannot verify at TIME, one "owner TYPE" a line.
sigcheck() { python3 worldtool.py check "$(out_of "$1")" "$1" "$2" || true; }

# verify ZONE: dnssec-verify and dnspython must both accept the zone.
verify() {
    dnssec-verify -q -x -o "$1" "$(out_of "$1")" || { log "dnssec-verify rejects $1"; exit 1; }
    verify_sigs "$1"
}
verify_sigs() {
    local bad
    bad=$(sigcheck "$1" "$CHECK_TIME")
    [[ -z $bad ]] || { log "dnspython rejects RRSIGs in $1: $bad"; exit 1; }
}

# must_fail ZONE WHY COMMAND...: a deliberately broken zone must be rejected.
must_fail() {
    local zone=$1 why=$2
    shift 2
    if "$@" >/dev/null 2>&1; then
        log "$zone should fail ($why) but '$*' accepts it"
        exit 1
    fi
}

log "signing the children of test."

# --- secure.test.: alg 13, KSK + ZSK, NSEC
ksk=$(key secure.test. 13 257); zsk=$(key secure.test. 13 256)
sign_bind secure.test. "$INCEPTION" "$EXPIRATION" -- "$ksk" "$zsk"
verify secure.test.
ds secure.test. "$ksk" SHA-256

# --- hashed.test.: alg 8, KSK + ZSK, NSEC3 with salt and 5 extra iterations
ksk=$(key hashed.test. 8 257); zsk=$(key hashed.test. 8 256)
sign_bind hashed.test. "$INCEPTION" "$EXPIRATION" -3 5CA1AB1E -H 5 -- "$ksk" "$zsk"
verify hashed.test.
ds hashed.test. "$ksk" SHA-256

# --- hashed0.test.: alg 8, one combined key, NSEC3 without salt or extra iterations (ldns)
csk=$(key hashed0.test. 8 257)
sign_ldns hashed0.test. -t 0 -s '' -- "$csk"
verify hashed0.test.
ds hashed0.test. "$csk" SHA-256

# --- iter200.test.: alg 13, one combined key, NSEC3 with 200 extra iterations (ldns; BIND 9.18
# refuses more than 150).  dnssec-verify refuses it too ("NSEC3 iterations out of range"), so
# only dnspython checks its signatures.
csk=$(key iter200.test. 13 257)
sign_ldns iter200.test. -t 200 -s AB -- "$csk"
verify_sigs iter200.test.
ds iter200.test. "$csk" SHA-256

# --- ed.test. (Ed25519) and ed448.test. (Ed448): one combined key each, NSEC
csk=$(key ed.test. 15 257)
sign_bind ed.test. "$INCEPTION" "$EXPIRATION" -- "$csk"
verify ed.test.
ds ed.test. "$csk" SHA-256
csk=$(key ed448.test. 16 257)
sign_bind ed448.test. "$INCEPTION" "$EXPIRATION" -- "$csk"
verify ed448.test.
ds ed448.test. "$csk" SHA-384

# --- bogus.test.: signed correctly, then one byte of two RRSIGs changed
ksk=$(key bogus.test. 13 257); zsk=$(key bogus.test. 13 256)
sign_bind bogus.test. "$INCEPTION" "$EXPIRATION" -- "$ksk" "$zsk"
verify bogus.test.
python3 worldtool.py corrupt-rrsig "$(out_of bogus.test.)" www.bogus.test. A
python3 worldtool.py corrupt-rrsig "$(out_of bogus.test.)" bogus.test. CAA
must_fail bogus.test. "corrupted RRSIGs" dnssec-verify -q -x -o bogus.test. "$(out_of bogus.test.)"
[[ "$(sigcheck bogus.test. "$CHECK_TIME" | sort | tr '\n' ' ')" == "bogus.test. CAA www.bogus.test. A " ]] ||
    { log "bogus.test.: expected exactly the CAA and www A RRSIGs to fail"; exit 1; }
ds bogus.test. "$ksk" SHA-256

# --- expired.test.: signed with a window entirely in 2025; its DS is correct
csk=$(key expired.test. 13 257)
sign_bind expired.test. "$EXPIRED_INCEPTION" "$EXPIRED_EXPIRATION" -- "$csk"
ldns-verify-zone -V 1 -t 20250601000000 "$(out_of expired.test.)" ||
    { log "expired.test. is not valid even in mid-2025"; exit 1; }
[[ -z "$(sigcheck expired.test. 20250601000000)" ]] || { log "expired.test. bad in 2025"; exit 1; }
must_fail expired.test. "expired signatures" ldns-verify-zone -V 0 -t "$INCEPTION" "$(out_of expired.test.)"
[[ "$(sigcheck expired.test. "$INCEPTION" | wc -l)" == "$(awk '$4 == "RRSIG"' "$(out_of expired.test.)" | wc -l)" ]] ||
    { log "expired.test.: some RRSIG is still valid in 2026"; exit 1; }
ds expired.test. "$csk" SHA-256

# --- dsmismatch.test.: a correct zone whose DS (in test.) matches none of its keys
csk=$(key dsmismatch.test. 13 257)
sign_bind dsmismatch.test. "$INCEPTION" "$EXPIRATION" -- "$csk"
verify dsmismatch.test.
ds dsmismatch.test. "$csk" SHA-256
python3 worldtool.py ds-flip-digest "$WORK/ds/test/dsmismatch.test"

# --- unsupported.test.: a correct zone whose only DS names algorithm 253
csk=$(key unsupported.test. 13 257)
sign_bind unsupported.test. "$INCEPTION" "$EXPIRATION" -- "$csk"
verify unsupported.test.
ds unsupported.test. "$csk" SHA-256
python3 worldtool.py ds-algorithm "$WORK/ds/test/unsupported.test" 253

# --- rsasha512.test.: alg 10 (RSA/SHA-512, 2048), KSK + ZSK, NSEC
ksk=$(key rsasha512.test. 10 257); zsk=$(key rsasha512.test. 10 256)
sign_bind rsasha512.test. "$INCEPTION" "$EXPIRATION" -- "$ksk" "$zsk"
verify rsasha512.test.
ds rsasha512.test. "$ksk" SHA-256

# --- p384.test.: alg 14 (ECDSA P-384), one combined key, NSEC3 without salt or extra iterations
csk=$(key p384.test. 14 257)
sign_bind p384.test. "$INCEPTION" "$EXPIRATION" -3 - -H 0 -- "$csk"
verify p384.test.
ds p384.test. "$csk" SHA-256

# --- notyet.test.: signed with a window entirely in the future (2070..2080, still within RFC 1982
# serial range of 2026); its DS is correct.  dnspython must accept it in 2075 and reject every
# RRSIG at CHECK_TIME.
csk=$(key notyet.test. 13 257)
sign_bind notyet.test. "$NOTYET_INCEPTION" "$NOTYET_EXPIRATION" -- "$csk"
[[ -z "$(sigcheck notyet.test. 20750101000000)" ]] || { log "notyet.test. bad in 2075"; exit 1; }
[[ "$(sigcheck notyet.test. "$CHECK_TIME" | wc -l)" == "$(awk '$4 == "RRSIG"' "$(out_of notyet.test.)" | wc -l)" ]] ||
    { log "notyet.test.: some RRSIG is already valid at $CHECK_TIME"; exit 1; }
ds notyet.test. "$csk" SHA-256

# --- insecure.test. and unsigned.test.: not signed; served as written
cp "$(src_of insecure.test.)" "$(out_of insecure.test.)"
cp "$(src_of unsigned.test.)" "$(out_of unsigned.test.)"

# --- test.: NSEC3 opt-out with 0 extra iterations and no salt (ldns gives every insecure
# delegation a matching NSEC3); then insecure.test.'s NSEC3 is removed so that it is covered
# by an opt-out span instead (the re-signed predecessor NSEC3 is checked by both verifiers).
log "signing test."
ksk=$(key test. 13 257); zsk=$(key test. 13 256)
sign_ldns test. -p -t 0 -s '' -- "$ksk" "$zsk"
python3 worldtool.py optout-hide "$(out_of test.)" insecure.test. "$zsk"
verify test.
ds test. "$ksk" SHA-256

# --- the root
log "signing the root"
ksk=$(key . 13 257); zsk=$(key . 13 256)
sign_bind . "$INCEPTION" "$EXPIRATION" -- "$ksk" "$zsk"
verify .

{
    echo "; dnssec-core demo world — trust anchor: the DS (SHA-256) of the demo root's KSK."
    echo "; Written by vectors/demo/generate.sh from ${ksk#keys/}.key; a TEST anchor for the"
    echo "; offline demo world only (127.0.0.2 is its root server), never for the real DNS."
    echo "; Fields: owner class type key-tag algorithm digest-type digest"
    dnssec-dsfromkey -a SHA-256 "$ksk.key"
} >root-anchor.txt

log "done: $(ls zones | wc -l) zone files, $(ls keys/*.key | wc -l) keys, root-anchor.txt"
