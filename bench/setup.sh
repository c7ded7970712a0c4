#!/usr/bin/env bash
# Peers for `python -m bench` (issue 7): the C validators, Unbound (lab latency) and the
# pure-Python libraries.
# Debian/Ubuntu, as root.  The bench runs without any of them and says what it skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y bind9-utils ldnsutils knot-dnssecutils unbound time
python3 -m pip install -e '.[bench]'
