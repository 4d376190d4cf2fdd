"""The demo PBX (Asterisk 22): backends (rootfs with chroot, docker), config, health, purge."""
