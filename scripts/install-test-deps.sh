#!/usr/bin/env bash
# What the tests need besides Node 20, installed if missing: the Debian packages (as root, or through
# `sudo -n`; otherwise it prints the command and stops), the Kubernetes test cluster's binaries
# (scripts/k8s/build.sh: about 5 minutes the first time, cached after; also with --debian-only) and the npm packages (`npm install` when
# `npm ls` finds one missing or of another version). `npm test` runs it first (npm's pretest),
# and `.ci/run` runs it as its first step, so both install the same things.
#
#   bash scripts/install-test-deps.sh [--debian-only]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# python3-grpcio, python3-grpc-tools, protobuf-compiler(-grpc): the cross-language tests' Python client and stubs;
# libprotobuf-dev: the well-known types (google/protobuf/timestamp.proto) protoc needs (only recommended by protobuf-compiler);
# openssl: the TLS tests' certificates and the control plane's cluster CA; g++ and make: better-sqlite3 when npm cannot
# fetch its prebuilt binary; zsh: the test of the zsh completion function; chromium: the web dashboard's browser test
# (driven by playwright-core); golang-go, protoc-gen-go(-grpc), golang-google-grpc-dev, golang-google-protobuf-dev and
# golang-github-golang-protobuf-1-5-dev: the Go client, built offline in GOPATH mode (the 1-5 package, not Debian's
# default golang-goprotobuf-dev 1.3, whose generated code panics at run time); postgresql: the PostgreSQL store's tests;
# the Kubernetes test cluster (test/support/kubernetes): dpkg-dev (dpkg-source), rsync and jq (Kubernetes' make),
# gcc (the pause binary) to build it from Debian's source package (scripts/k8s/build.sh, below), etcd-server,
# containerd, runc and containernetworking-plugins to run it, iptables and iproute2 to clean up after it;
# nats-server: the message broker of the streaming tests (issue 16), started by the tests themselves.
DEBIAN_PACKAGES=(python3-grpcio python3-grpc-tools protobuf-compiler protobuf-compiler-grpc libprotobuf-dev openssl g++ make zsh
  chromium golang-go protoc-gen-go protoc-gen-go-grpc golang-google-grpc-dev golang-google-protobuf-dev
  golang-github-golang-protobuf-1-5-dev postgresql dpkg-dev rsync jq gcc etcd-server containerd runc
  containernetworking-plugins iptables iproute2 nats-server)

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then
    as_root=()
  elif sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "the tests need these Debian packages, which are not installed: ${missing[*]}" >&2
    echo "install them and run again:  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "installing the Debian packages the tests need: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
    echo "apt-get install failed; running apt-get update and retrying"
    "${as_root[@]}" apt-get update
    "${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
  fi
else
  echo "Debian packages the tests need: all installed (${DEBIAN_PACKAGES[*]})"
fi

# Kubernetes built from Debian's source package: about 5 minutes the first time, then cached outside the clone
# (${FLOTILLA_CACHE:-/var/cache/flotilla}/kubernetes/<version>) and nothing to do.
if [[ $(id -u) == 0 ]] || [[ -w ${FLOTILLA_CACHE:-/var/cache/flotilla} ]]; then
  bash scripts/k8s/build.sh >/dev/null
else
  echo "not root: the Kubernetes test cluster is not built; run as root: bash scripts/k8s/build.sh" >&2
fi

[[ ${1:-} == --debian-only ]] && exit 0
# npm ls fails when a dependency of package.json is missing or not the version it asks for.
if ! npm ls --depth=0 >/dev/null 2>&1; then
  echo "installing the npm packages (npm install)"
  npm install --no-audit --no-fund
fi
