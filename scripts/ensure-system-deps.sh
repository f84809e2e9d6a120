#!/usr/bin/env bash
# Installs the Debian packages the tests use when missing: dnsmasq (DNS resolver tests),
# etcd-server (etcd discovery tests), python3-grpcio (gRPC C-core as a client,
# test/server/c-core.spec.ts), openssl (the TLS tests make their certificates with it) and curl
# (the HTTP/1.1 tests).
# Runs before `npm test`; without root or apt-get it only says what is missing (those tests then
# skip locally, and fail under CI=true).
set -euo pipefail
missing=()
command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
/usr/bin/python3 -c "import grpc" >/dev/null 2>&1 || missing+=(python3-grpcio)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (Debian packages the tests need)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "warning: ${missing[*]} not installed and cannot install without root + apt-get; the DNS, etcd and C-core tests skip without theirs (and fail under CI=true), the TLS tests fail without openssl or curl" >&2
fi
