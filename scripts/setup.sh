#!/usr/bin/env bash
# Installs what building and testing Portcullis needs, then builds it.
# Idempotent and non-interactive: safe to run before every test run, as root
# on a fresh Debian with Node 20 (or as a user with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

# libpcap-dev, make, g++, python3: build the `cap` capture binding.
# knockd, fwknop-*: reference implementations the interop tests run against.
# nftables, iproute2, nmap, hping3, tcpdump, ...: the end-to-end test lab.
# groff-base, man-db, systemd (systemd-analyze), procps, util-linux (setpriv):
# the man pages, the unit and the unprivileged-service tests (npm run package).
PACKAGES=(libpcap-dev nftables iptables ipset iproute2 knockd fwknop-client fwknop-server
          tcpdump hping3 nmap iputils-ping bsdutils python3 make g++
          groff-base man-db systemd procps util-linux)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else echo "setup: need root to run: $*" >&2; return 1
  fi
}

installed() {
  # `dpkg -s` also succeeds for removed packages whose config files remain.
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  # Keep package scripts from starting knockd/fwknopd as services: there may
  # be no init system, and the tests start their own instances. 101 means
  # "action not allowed" to invoke-rc.d.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    made_policy=1
  fi
  status=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null || status=$?
  if [ "$status" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null || status=$?
  fi
  if [ "$made_policy" -eq 1 ]; then as_root rm -f "$policy"; fi
  [ "$status" -eq 0 ] || { echo "setup: package installation failed" >&2; exit "$status"; }
fi

# npm ci when node_modules is missing or older than the lock file, or when the
# capture binding is missing (e.g. npm ci ran before libpcap-dev was there:
# it is optional, so npm skipped it without failing).
if [ ! -e node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || ! node -e "require('cap')" >/dev/null 2>&1; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund </dev/null
fi
if ! node -e "require('cap')" >/dev/null 2>&1; then
  echo "setup: the cap capture binding did not build; portcullis serve will not run" >&2
  exit 1
fi

npm run build --silent </dev/null
echo "setup: ready"
