#!/usr/bin/env bash
# ci/install-deps.sh: install every Debian package smtpeer's build and tests need.
# Idempotent: packages already present are skipped by apt; daemons never start
# on install (policy-rc.d), because tests start their own instances on 127.0.0.1.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "ci/install-deps.sh: run as root (it calls apt-get)" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive

# No service may start because a package was installed.
if [ ! -f /usr/sbin/policy-rc.d ] || ! grep -q smtpeer /usr/sbin/policy-rc.d; then
  printf '#!/bin/sh\n# smtpeer: never start daemons on package install\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
fi

build_pkgs=(
  cmake ninja-build g++ clang libclang-rt-14-dev ccache pkg-config git
  libssl-dev openssl libtomlplusplus-dev libboost-dev libboost-filesystem-dev
  libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  python3 python3-junitparser
)
# Real peers for the integration tests. Postfix is installed; Exim and OpenSMTPD
# conflict with it (mail-transport-agent), so they are unpacked (see below).
# libnet-ssleay-perl: swaks needs it for --tls. util-linux (unshare) and mount run
# OpenSMTPD in a private mount namespace. testssl.sh and sslscan: the scanners
# bench/ compares smtpeer probe with. stress-ng: the CPU load ci/flaky.sh
# runs the integration tests beside.
sut_pkgs=(postfix swaks libnet-ssleay-perl curl msmtp iproute2 procps util-linux mount
  testssl.sh sslscan stress-ng)

missing=()
for p in "${build_pkgs[@]}" "${sut_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  if [ ! -f /var/lib/apt/lists/lock ] || [ -z "$(ls /var/lib/apt/lists/*Packages 2>/dev/null | head -1)" ] \
     || ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/smtpeer-apt.log 2>&1; then
    apt-get update -qq
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

# Exim and OpenSMTPD: unpack into a private prefix (not installed, so no conflict
# with postfix), after installing their shared-library dependencies normally.
prefix=/opt/smtpeer-sut
unpack() { # unpack PKG: download the .deb and extract it under $prefix/PKG
  local pkg=$1 dir=$prefix/$1
  [ -f "$dir/.unpacked" ] && return 0
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) || { apt-get update -qq; (cd "$tmp" && apt-get download "$pkg"); }
  mkdir -p "$dir"
  dpkg -x "$tmp"/*.deb "$dir"
  touch "$dir/.unpacked"
  rm -rf "$tmp"
}
# Libraries the unpacked binaries link against (apt resolves these normally).
# apt-cache needs package lists: fetch them if this machine has none yet.
apt-cache show exim4-daemon-light >/dev/null 2>&1 || apt-get update -qq
lib_pkgs=()
for p in exim4-daemon-light opensmtpd; do
  while read -r dep; do lib_pkgs+=("$dep"); done < <(apt-cache depends "$p" 2>/dev/null \
      | awk '/^  Depends: lib/ {print $2}' | tr -d '<>')
done
lib_missing=()
for p in "${lib_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || lib_missing+=("$p")
done
if [ "${#lib_missing[@]}" -gt 0 ]; then
  apt-get install -y --no-install-recommends "${lib_missing[@]}"
fi
unpack exim4-daemon-light
unpack exim4-base
unpack opensmtpd
for bin in "$prefix"/exim4-daemon-light/usr/sbin/exim4 "$prefix"/opensmtpd/usr/sbin/smtpd; do
  if ldd "$bin" 2>/dev/null | grep -q 'not found'; then
    echo "install-deps: $bin lacks libraries:" >&2
    ldd "$bin" | grep 'not found' >&2
    exit 1
  fi
done

# System users the unpacked daemons look up by name at start (their maintainer
# scripts, which would create them, never ran): Exim's compiled-in EXIM_USER
# and OpenSMTPD's unprivileged and queue users, each with a group of its name.
sysuser() { # sysuser NAME HOME: create system user+group NAME unless present
  local name=$1 home=$2
  getent group "$name" >/dev/null || groupadd --system "$name"
  getent passwd "$name" >/dev/null \
    || useradd --system --gid "$name" --home-dir "$home" --no-create-home \
         --shell /usr/sbin/nologin "$name"
}
sysuser Debian-exim /var/spool/exim4
sysuser opensmtpd /var/lib/opensmtpd/empty
sysuser opensmtpq /var/lib/opensmtpd/empty
echo "install-deps: ok"
