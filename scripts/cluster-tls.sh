#!/usr/bin/env bash
# Makes a cluster's TLS files, once: a cluster CA, and one certificate (with
# its key) that is valid for every address given. slotd uses it for IMAP and
# LMTP TLS and as its identity on the control channel; mailctl presents the
# same certificate as a client. Existing files are kept.
#   scripts/cluster-tls.sh DIR ADDRESS...
# Writes DIR/ca.pem, DIR/ca.key, DIR/cert.pem, DIR/key.pem (mode 0600 keys).
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
if [ ! -s "$dir/ca.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=slotmail cluster CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
fi
if [ ! -s "$dir/cert.pem" ]; then
  san="DNS:localhost"
  for a in "$@"; do san="$san,IP:$a"; done
  openssl req -newkey rsa:2048 -nodes -subj "/CN=slotmail" \
    -keyout "$dir/key.pem" -out "$dir/cert.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" >"$dir/ext.cnf"
  openssl x509 -req -in "$dir/cert.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 3650 -extfile "$dir/ext.cnf" -out "$dir/cert.pem" 2>/dev/null
  rm -f "$dir/cert.csr" "$dir/ext.cnf"
fi
