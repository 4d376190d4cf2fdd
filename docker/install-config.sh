#!/bin/sh
# Installs a ccinspect demo PBX configuration into an Asterisk root filesystem.
#   install-config.sh CONFIG_DIR ROOT
# CONFIG_DIR holds the *.conf files and sounds/ (docker/asterisk/ or a patched copy of it).
# ROOT is "/" inside the Docker image, or the debootstrap root filesystem (rootfs backend).
# Debian's own /etc/asterisk is kept once as /etc/asterisk.dist; every install starts from it,
# so a file removed from CONFIG_DIR falls back to Debian's default instead of a stale copy.
set -eu
src=$1
root=$2
[ -f "$src/pjsip.conf" ] || { echo "install-config: $src has no pjsip.conf" >&2; exit 2; }
etc="$root/etc/asterisk"
if [ ! -d "$root/etc/asterisk.dist" ]; then
  cp -a "$etc" "$root/etc/asterisk.dist"
fi
rm -rf "$etc"
cp -a "$root/etc/asterisk.dist" "$etc"
cp "$src"/*.conf "$etc/"
if [ -d "$src/sounds" ]; then
  mkdir -p "$root/usr/share/asterisk/sounds"
  cp -r "$src/sounds/." "$root/usr/share/asterisk/sounds/"
  rm -f "$root/usr/share/asterisk/sounds/make-prompts.sh"
fi
# Asterisk resolves this machine's host name on every call (acl.c, ast_find_ourip); without an
# /etc/hosts naming it, each call waits on a failing lookup.
if [ "$root" != "/" ]; then
  printf '127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost\n' "$(hostname)" > "$root/etc/hosts"
fi
mkdir -p "$root/var/spool/asterisk/recording" "$root/var/log/asterisk/cdr-custom" "$root/var/run/asterisk"
