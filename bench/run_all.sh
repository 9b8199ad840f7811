#!/usr/bin/env bash
# Runs every benchmark; each prints its own figures.
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
"$BIN/store_bench"
"$BIN/sort_bench"
export SLOTMAIL_BIN=$(cd "$BIN" && pwd)
python3 bench/idle_rss_bench.py
python3 bench/idle_latency_bench.py
bench/compare-dovecot
bench/compare-lmtp
bench/replication_bench
bench/drain_bench
