#!/usr/bin/env bash
# Builds the Kubernetes binaries the test cluster runs (kube-apiserver, kube-scheduler,
# kube-controller-manager, kubelet) and a pause image from Debian's `kubernetes` source package,
# offline, with Debian's golang-go. Debian ships no kube-apiserver binary; its source package
# holds the whole tree with vendor/ (see ../shared/SCALE-OUT.md, "Kubernetes").
#
# The result is cached outside the clone, keyed by the source package version:
#   ${FLOTILLA_CACHE:-/var/cache/flotilla}/kubernetes/<version>/{bin/*,VERSION}
# and a second run finds it and does nothing. The machine's apt lists are not changed: the deb-src
# entry lives in a sources file and lists folder of this script's own.
#
# The build takes about 5 minutes of both cores: it runs under `nice -n 19` and holds
# /tmp/flotilla-heavy.lock so that it does not collide with other heavy work.
#
#   bash scripts/k8s/build.sh [--cached-only]
# Prints the cache folder on its last line. With --cached-only it never builds: it fails when the
# binaries are not in the cache (the tests use it, as they run under the lock the build takes).
set -euo pipefail

CACHE_ROOT=${FLOTILLA_CACHE:-/var/cache/flotilla}/kubernetes
APT_DIR=$CACHE_ROOT/apt
PACKAGE=kubernetes
BINARIES=(kube-apiserver kube-scheduler kube-controller-manager kubelet)
# The source tree and Go caches of a build (about 2 GB), removed however the script ends.
BUILD_DIR=""
trap '[[ -z $BUILD_DIR ]] || rm -rf "$BUILD_DIR"' EXIT

# The mirror of the machine's own `deb` entry for Debian main (deb822 or one-line format).
debian_mirror() {
  local uri
  uri=$(grep -hs -A3 '^Types: *deb$' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    sed -n 's/^URIs: *\(.*\/debian\)\/\?$/\1/p' | head -n 1)
  if [[ -z $uri ]]; then
    uri=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$2 ~ /\/debian\/?$/ {print $2; exit}')
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

apt_own() {
  local tool=$1
  shift
  "$tool" -o Dir::Etc::SourceList="$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$APT_DIR/lists" -o Dir::Cache::Archives="$APT_DIR/archives" "$@"
}

# The version of the source package the mirror offers (refreshing our own lists once).
source_version() {
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial"
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  echo "deb-src $(debian_mirror) $codename main" >"$APT_DIR/sources.list"
  if ! compgen -G "$APT_DIR/lists/*Sources*" >/dev/null; then
    apt_own apt-get update -qq >&2
  fi
  apt_own apt-cache showsrc "$PACKAGE" | sed -n 's/^Version: //p' | head -n 1
}

# Whether a process above this one runs under `flock /tmp/flotilla-heavy.lock` (CI does, on a machine
# shared by several people): taking the lock again would wait for ourselves forever.
ancestor_holds_lock() {
  local pid=$PPID
  while ((pid > 1)); do
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq '^(/usr/bin/)?flock .*flotilla-heavy\.lock'; then
      return 0
    fi
    pid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 1)
  done
  return 1
}

build() {
  local version=$1 out=$2 work
  work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-kubernetes-build.XXXXXX")
  BUILD_DIR=$work
  echo "kubernetes: fetching the source package $PACKAGE $version" >&2
  (cd "$work" && apt_own apt-get source --download-only -qq "$PACKAGE=$version" >&2)
  dpkg-source -x "$work"/*.dsc "$work/src" >&2
  echo "kubernetes: building ${BINARIES[*]} (about 5 minutes on 2 cores)" >&2
  local start=$SECONDS
  (
    if ancestor_holds_lock; then
      echo "kubernetes: a caller holds /tmp/flotilla-heavy.lock already" >&2
    else
      flock 9
      echo "kubernetes: holding /tmp/flotilla-heavy.lock after $((SECONDS - start)) s" >&2
    fi
    cd "$work/src"
    export GOPROXY=off GOFLAGS=-p=1 CGO_ENABLED=0 KUBE_GIT_VERSION=v1.20.2 KUBE_GIT_TREE_STATE=clean
    export GOCACHE=$work/gocache GOPATH=$work/gopath
    nice -n 19 make WHAT="cmd/kube-apiserver cmd/kube-scheduler cmd/kube-controller-manager cmd/kubelet" >&2
  ) 9>/tmp/flotilla-heavy.lock
  echo "kubernetes: built in $((SECONDS - start)) s" >&2
  local staging=$out.partial
  rm -rf "$staging"
  mkdir -p "$staging/bin"
  for binary in "${BINARIES[@]}"; do
    cp "$work/src/_output/bin/$binary" "$staging/bin/$binary"
  done
  build_pause "$work/src/build/pause" "$staging"
  echo "$version" >"$staging/VERSION"
  rm -rf "$out"
  mv "$staging" "$out"
}

# The pause binary (static C from build/pause/); the test support wraps it in an image tarball.
build_pause() {
  local source=$1 out=$2
  nice -n 19 gcc -Os -static -DVERSION=v3.4-flotilla -o "$out/bin/pause" "$source/linux/pause.c" >&2
}

main() {
  local version out
  version=$(source_version)
  [[ -n $version ]] || { echo "kubernetes: Debian offers no $PACKAGE source package" >&2; exit 1; }
  out=$CACHE_ROOT/$version
  if [[ -f $out/VERSION ]]; then
    echo "kubernetes: $version already built" >&2
  elif [[ ${1:-} == --cached-only ]]; then
    echo "kubernetes: $version is not built yet; run bash scripts/k8s/build.sh (about 5 minutes)" >&2
    exit 1
  else
    build "$version" "$out"
  fi
  echo "$out"
}

main "$@"
