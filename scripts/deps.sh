#!/usr/bin/env bash
# Installs the Debian packages slotmail builds and tests with, if any is
# missing. Quick (one dpkg query) when everything is there.
#   scripts/deps.sh          what `make`, `make test` and `make run` need
#   scripts/deps.sh bench    that, plus Dovecot for the side-by-side benchmarks
set -euo pipefail

packages=(
  g++ make pkg-config
  libevent-dev libssl-dev libsqlite3-dev zlib1g-dev doctest-dev
  python3 openssl
  clang libclang-rt-14-dev   # the fuzz target (libFuzzer + sanitizers)
  isync                      # mbsync, for the interop test
  postfix                    # a real MTA in front of LMTP, for the interop test
  nginx libnginx-mod-mail    # the IMAP/POP3 front door of make run and its test
)
if [ "${1:-}" = bench ]; then
  packages+=(dovecot-imapd dovecot-lmtpd)   # the servers we measure against
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: not root; install these packages first: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure the system MTA; the tests run their own
# instance, so the system one is left unconfigured (and not started).
if command -v debconf-set-selections >/dev/null; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
