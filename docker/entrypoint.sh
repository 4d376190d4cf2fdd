#!/bin/sh
# Starts Asterisk in the foreground. A configuration mounted at /config (a patched copy of
# docker/asterisk/, for fault injection) replaces the one baked into the image.
set -eu
if [ -f /config/pjsip.conf ]; then
  ccinspect-install-config /config /
fi
mkdir -p /var/run/asterisk /var/spool/asterisk/recording
exec /usr/sbin/asterisk -f -n -q
