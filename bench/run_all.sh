#!/usr/bin/env bash
# Runs every benchmark; each prints its own figures.
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
"$BIN/store_bench"
