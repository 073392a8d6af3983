#!/usr/bin/env bash
# GIMP 3 is not packaged for Debian 12, so oaimg's GIMP 3 plug-in is built, installed and tested
# inside a Debian 13 (trixie) chroot, which has GIMP 3.0. Nothing is bind-mounted: the chroot shares
# only the host's network namespace, so a server on the host's 127.0.0.1 is reachable from inside.
#
#   gimp3-chroot.sh create       debootstrap trixie + GIMP and build packages (reused once complete)
#   gimp3-chroot.sh build        copy this source tree in, build liboaimg and the plug-in, install
#   gimp3-chroot.sh install      create + build
#   gimp3-chroot.sh run CMD...   run CMD inside the chroot with a clean environment; variables
#                                named in OAIMG_CHROOT_PASS_ENV (space separated) are passed through
#
#   OAIMG_CHROOT        chroot folder (default /var/tmp/oaimg-trixie)
#   OAIMG_DEBIAN_MIRROR mirror for debootstrap (default: the host's own Debian mirror from
#                       its apt sources, so the chroot uses whatever this machine is allowed to reach)
# Needs root and debootstrap (install/setup.sh installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=${OAIMG_CHROOT:-/var/tmp/oaimg-trixie}
# The first "main archive" URI of the host's apt sources (deb822 or one-line format), skipping the
# security archive, which holds no full distribution.
host_mirror() {
  local files=() f
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  { sed -n 's/^URIs:[[:space:]]*//p' "${files[@]}" | tr ' ' '\n'
    sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' "${files[@]}"
  } | grep -E '^https?://' | grep -v -- '-security' | head -n 1
}
mirror=${OAIMG_DEBIAN_MIRROR:-$(host_mirror)}
# Bumped whenever the package list changes, so that an older chroot is completed, not trusted.
stamp_version=6
stamp=$root/.oaimg-chroot-complete
packages=(gimp libgimp-3.0-dev build-essential cmake pkg-config libcurl4-openssl-dev
          libjson-glib-dev libpng-dev libsecret-1-dev gettext ca-certificates python3 locales
          xvfb xauth xdotool   # the dialog tests drive GIMP's GUI on Xvfb
          fonts-wqy-microhei   # a CJK font, so that the Chinese screenshots show characters
          dbus gnome-keyring libsecret-tools)  # a Secret Service for the keyring test

die() { echo "gimp3-chroot: $*" >&2; exit 1; }

# A clean environment: the host's variables (and any secret among them) stay outside unless named.
in_chroot() {
  local pass=() name
  for name in ${OAIMG_CHROOT_PASS_ENV:-}; do
    [ -n "${!name+x}" ] && pass+=("$name=${!name}")
  done
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "${pass[@]}" "$@"
}

create() {
  [ "$(id -u)" = 0 ] || die "needs root (debootstrap and chroot)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_version" ]; then
    echo "gimp3-chroot: reusing $root"
    return 0
  fi
  command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
  [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt: set OAIMG_DEBIAN_MIRROR to one"
  if [ ! -x "$root/usr/bin/apt-get" ]; then
    echo "gimp3-chroot: debootstrap trixie into $root"
    # A half-finished debootstrap cannot be resumed reliably: start it again from scratch.
    rm -rf "$root"
    mkdir -p "$root"
    debootstrap --variant=minbase trixie "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
      { tail -20 "$root.debootstrap.log" >&2; die "debootstrap failed (log: $root.debootstrap.log)"; }
  fi
  # The host's resolver, so that apt inside can reach the mirror.
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  echo "gimp3-chroot: installing GIMP 3 and build packages"
  in_chroot apt-get update -qq
  in_chroot apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  in_chroot apt-get clean
  # The Simplified Chinese translation is tested under this locale.
  in_chroot localedef -i zh_CN -f UTF-8 zh_CN.UTF-8
  echo "$stamp_version" >"$stamp"
}

build() {
  [ -f "$stamp" ] || die "no complete chroot at $root: run '$0 create' first"
  local src=/opt/oaimg-src build=/opt/oaimg-build
  echo "gimp3-chroot: copying the source tree into $root$src"
  rm -rf "$root$src"
  mkdir -p "$root$src"
  # tar keeps the files' times, so the build folder (kept outside the copy) rebuilds only what
  # changed since the last build. The tracked files plus new untracked ones (a working tree under
  # development builds as it is); host build folders are left out: they belong to another system.
  if git -C "$here" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$here" && git ls-files -z --cached --others --exclude-standard |
       grep -zv '^build' | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
       tar --null -T - -cf -) | tar -xf - -C "$root$src"
  else
    tar -C "$here" --exclude='./build*' -cf - . | tar -xf - -C "$root$src"
  fi
  # The build folder trusts file times, which only works for one tree: a chroot copied from
  # another tree's (or the same chroot built from two worktrees) would keep objects newer than
  # this tree's older sources and link them. A build folder made from another tree starts over.
  local tree_id tree_stamp="$root$build/.oaimg-source-tree"
  tree_id=$(cd "$here" && pwd -P)
  if [ -d "$root$build" ] && [ "$(cat "$tree_stamp" 2>/dev/null)" != "$tree_id" ]; then
    echo "gimp3-chroot: $build was built from another tree; building from scratch"
    rm -rf "$root$build"
  fi
  mkdir -p "$root$build"
  echo "$tree_id" >"$tree_stamp"
  echo "gimp3-chroot: building liboaimg and the GIMP 3 plug-in"
  in_chroot cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_INSTALL_PREFIX=/usr/local -DOAIMG_GIMP_PLUGIN=gimp3 -DOAIMG_BUILD_TESTS=OFF \
    -DOAIMG_BUILD_BENCH=OFF >/dev/null
  in_chroot cmake --build "$build" -j"$(nproc)"
  in_chroot cmake --install "$build" >/dev/null
  in_chroot ldconfig
  local plugin=/usr/lib/x86_64-linux-gnu/gimp/3.0/plug-ins/oaimg/oaimg
  [ -x "$root$plugin" ] || die "the plug-in was not installed at $plugin"
  echo "gimp3-chroot: plug-in installed at $root$plugin"
}

# Two builds into one chroot (a test run and setup.sh, say) would overwrite each other's copy
# and build folder: they take turns, each waiting at most an hour.
lock() {
  mkdir -p "$(dirname "$root")"
  exec 9>"$root.lock"
  flock -w 3600 9 || die "another gimp3-chroot.sh kept $root.lock for an hour"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  create) lock; create ;;
  build) lock; build ;;
  install) lock; create; build ;;
  run)
    [ -f "$stamp" ] || die "no complete chroot at $root: run '$0 install' first"
    [ $# -gt 0 ] || die "run: no command"
    in_chroot "$@" ;;
  *) echo "usage: $0 create|build|install|run CMD..." >&2; exit 2 ;;
esac
