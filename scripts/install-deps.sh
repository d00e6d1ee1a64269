#!/usr/bin/env bash
# Installs the Debian 12 packages confiture needs to build, test, benchmark and run its demo.
# Does nothing when they are all there; uses sudo when not root.
set -euo pipefail
packages=(build-essential pkg-config libpq-dev libzmq3-dev libczmq-dev libmsgpack-dev
          libyaml-dev libsodium-dev check postgresql-15 postgresql-client-15 valgrind
          clang-format cppcheck clang libclang-rt-14-dev iproute2 python3 procps)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The postgresql package starts a system cluster; the tests start their own.
