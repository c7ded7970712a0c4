#!/usr/bin/env bash
# check_with_unbound.sh — serve the demo world with NSD and ask Unbound, as a validating resolver
# anchored at the world's own root (root-anchor.txt), about every case in world.json.
#
# It is the reference check for the world's expectations, and the pattern for the CI integration
# test that compares dnssec-core's verdicts with Unbound's (issue 5, "Tests").
#
# USAGE
#   vectors/demo/check_with_unbound.sh [--port P] [--unbound 127.0.0.1@U] [--tsv FILE] [--keep DIR]
#     --port P      port of the authoritative servers (default 53, as the world is designed).
#                   With 53, Unbound resolves iteratively from a root hint (a.root-servers.test.
#                   at the root zone's address) and follows every referral, NS name and glue
#                   record of the world itself.  With any other port it cannot follow referrals
#                   (they always mean port 53), so each zone gets a stub-zone at 127.0.0.N@P;
#                   validation still walks the whole chain from the root anchor.
#     --unbound A   where Unbound listens (default 127.0.0.1@5399).
#     --tsv FILE    also write the results as tab-separated lines:
#                   qname qtype expect_status expect_rcode expect_ede got_status got_rcode got_ede agree
#     --keep DIR    put the configs and logs in DIR (kept) instead of a removed temporary directory.
#     --verbosity V Unbound's log verbosity (default 1; 4 shows each validation step, e.g. which
#                   NSEC3 proved an insecure delegation).
#
# WHAT IT RUNS: one NSD per zone of world.json, each listening only on that zone's 127.0.0.N
# address (so a server answers for its own zone and refers or refuses everything else, as on the
# real Internet); one Unbound with trust-anchor-file root-anchor.txt, do-not-query-localhost: no,
# "local-zone: test. nodefault" (Unbound blocks the RFC 6761 name test. by default), ede: yes,
# aggressive-nsec: no (every answer is validated from what the servers send), and no
# val-override-date (the world's signatures are valid 2026-01-01 .. 2086-01-01).
# Then for each case: dig @unbound +dnssec NAME TYPE, mapped as
#   SERVFAIL -> bogus;  AD set -> secure;  NOERROR or NXDOMAIN without AD -> insecure.
# A case agrees when that status (and, unless SERVFAIL, the rcode) matches world.json.  Unbound's
# EDE is reported next to the expected one but not compared: which code a resolver picks is its
# own choice (RFC 8914 §4), and Unbound sends none for insecure answers.
#
# EXIT 0 when every case agrees, 1 when some case does not, 2 when the setup failed.
# REQUIRES nsd, unbound, dig (bind9-dnsutils), python3.  Only the processes it started are stopped.

set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=53
UNBOUND=127.0.0.1@5399
TSV=
KEEP=
VERBOSITY=1

while [[ $# -gt 0 ]]; do
    case $1 in
        --port) PORT=$2; shift 2 ;;
        --unbound) UNBOUND=$2; shift 2 ;;
        --tsv) TSV=$2; shift 2 ;;
        --keep) KEEP=$2; shift 2 ;;
        --verbosity) VERBOSITY=$2; shift 2 ;;
        *) sed -n '2,/^$/p' "$0" >&2; exit 2 ;;
    esac
done
for tool in nsd unbound dig python3; do
    command -v "$tool" >/dev/null || { echo "check_with_unbound.sh: $tool not found" >&2; exit 2; }
done

if [[ -n $KEEP ]]; then
    mkdir -p "$KEEP"
    RUN=$(cd "$KEEP" && pwd)
else
    RUN=$(mktemp -d)
fi
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    [[ -n $KEEP ]] || rm -rf "$RUN"
}
trap cleanup EXIT

# world.json -> "zone<TAB>file<TAB>address" lines and case lines.
python3 - "$HERE/world.json" "$RUN" <<'EOF'
import json, sys
world = json.load(open(sys.argv[1]))
run = sys.argv[2]
with open(f"{run}/zones.tsv", "w") as out:
    for z in world["zones"]:
        for address in z["servers"]:
            out.write(f"{z['zone']}\t{z['file']}\t{address}\n")
with open(f"{run}/cases.tsv", "w") as out:
    for c in world["cases"]:
        ede = "-" if c["expect_ede"] is None else str(c["expect_ede"])
        out.write(f"{c['qname']}\t{c['qtype']}\t{c['expect_status']}\t{c['expect_rcode']}\t{ede}\n")
EOF

# --- one NSD per zone and address
while IFS=$'\t' read -r zone file address; do
    n=${address##*.}
    cat >"$RUN/nsd-$n.conf" <<EOF
server:
    ip-address: $address@$PORT
    port: $PORT
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: ""
    database: ""
    zonelistfile: "$RUN/nsd-$n.zonelist"
    xfrdfile: "$RUN/nsd-$n.xfrd"
    xfrdir: "$RUN"
    pidfile: "$RUN/nsd-$n.pid"
    logfile: "$RUN/nsd-$n.log"
    server-count: 1
    verbosity: 1
    refuse-any: no
remote-control:
    control-enable: no
zone:
    name: "$zone"
    zonefile: "$HERE/$file"
EOF
    nsd -d -c "$RUN/nsd-$n.conf" >>"$RUN/nsd-$n.log" 2>&1 &
    PIDS+=($!)
done <"$RUN/zones.tsv"

# Wait until every server answers for its zone (authoritatively), or give up.
while IFS=$'\t' read -r zone file address; do
    ok=
    for _ in $(seq 50); do
        if dig +norec +time=1 +tries=1 -p "$PORT" @"$address" "$zone" SOA 2>/dev/null | grep -q 'flags:.* aa'; then
            ok=1; break
        fi
        sleep 0.1
    done
    [[ -n $ok ]] || { echo "check_with_unbound.sh: NSD for $zone on $address@$PORT does not answer; see $RUN/nsd-${address##*.}.log" >&2; exit 2; }
done <"$RUN/zones.tsv"

# --- Unbound
root_address=$(awk -F'\t' '$1 == "." { print $3; exit }' "$RUN/zones.tsv")
printf '.\t3600000\tIN\tNS\ta.root-servers.test.\na.root-servers.test.\t3600000\tIN\tA\t%s\n' \
    "$root_address" >"$RUN/root.hints"
{
    cat <<EOF
server:
    verbosity: $VERBOSITY
    interface: $UNBOUND
    port: ${UNBOUND##*@}
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$RUN"
    pidfile: "$RUN/unbound.pid"
    logfile: "$RUN/unbound.log"
    use-syslog: no
    access-control: 127.0.0.0/8 allow
    trust-anchor-file: "$HERE/root-anchor.txt"
    do-not-query-localhost: no
    local-zone: "test." nodefault
$([[ $PORT == 53 ]] && echo "    root-hints: \"$RUN/root.hints\"")
    module-config: "validator iterator"
    ede: yes
    val-log-level: 2
    aggressive-nsec: no
    prefetch: no
remote-control:
    control-enable: no
EOF
    if [[ $PORT != 53 ]]; then
        while IFS=$'\t' read -r zone file address; do
            printf 'stub-zone:\n    name: "%s"\n    stub-addr: %s@%s\n' "$zone" "$address" "$PORT"
        done <"$RUN/zones.tsv"
    fi
} >"$RUN/unbound.conf"
unbound-checkconf "$RUN/unbound.conf" >/dev/null
unbound -d -c "$RUN/unbound.conf" >>"$RUN/unbound.log" 2>&1 &
PIDS+=($!)
uaddr=${UNBOUND%@*}
uport=${UNBOUND##*@}
for _ in $(seq 50); do
    dig +time=1 +tries=1 -p "$uport" @"$uaddr" . SOA >/dev/null 2>&1 && break
    sleep 0.1
done

# --- the cases
[[ -z $TSV ]] || : >"$TSV"
disagree=0
printf '%-28s %-6s | %-8s %-8s %-4s | %-8s %-8s %-4s |\n' QNAME QTYPE EXPECT RCODE EDE UNBOUND RCODE EDE
while IFS=$'\t' read -r qname qtype expect_status expect_rcode expect_ede; do
    out=$(dig +dnssec +time=5 +tries=2 -p "$uport" @"$uaddr" "$qname" "$qtype" 2>&1 || true)
    rcode=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out" | head -1)
    flags=$(sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' <<<"$out" | head -1)
    ede=$(sed -n 's/^; EDE: \([0-9]*\).*/\1/p' <<<"$out" | head -1)
    ede=${ede:--}
    if [[ $rcode == SERVFAIL ]]; then
        status=bogus
    elif [[ " $flags " == *" ad "* ]]; then
        status=secure
    elif [[ $rcode == NOERROR || $rcode == NXDOMAIN ]]; then
        status=insecure
    else
        status="?"
    fi
    agree=yes
    if [[ $status != "$expect_status" ]] || { [[ $rcode != SERVFAIL ]] && [[ $rcode != "$expect_rcode" ]]; }; then
        agree=NO
        disagree=$((disagree + 1))
    fi
    printf '%-28s %-6s | %-8s %-8s %-4s | %-8s %-8s %-4s | %s\n' \
        "$qname" "$qtype" "$expect_status" "$expect_rcode" "$expect_ede" "$status" "${rcode:-none}" "$ede" "$agree"
    [[ -z $TSV ]] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$qname" "$qtype" "$expect_status" "$expect_rcode" "$expect_ede" "$status" "${rcode:-none}" "$ede" "$agree" >>"$TSV"
done <"$RUN/cases.tsv"

total=$(wc -l <"$RUN/cases.tsv")
echo "check_with_unbound.sh: $((total - disagree)) of $total cases agree with Unbound $(unbound -V | sed -n 's/^Version //p')"
[[ $disagree == 0 ]]
