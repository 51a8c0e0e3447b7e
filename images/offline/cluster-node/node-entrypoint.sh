#!/bin/sh
# Starts the node's engine. REGISTRY_UPSTREAM (host:port of the kit's registry on the manager) is
# forwarded to 127.0.0.1:REGISTRY_PORT here, so the stack's image names (127.0.0.1:PORT/...) mean
# the same registry on every node, and the engine trusts it without TLS as it trusts any loopback
# registry: no --insecure-registry list to keep in step with the manager's address.
set -eu
# A restarted node container (the host rebooted, docker start) keeps its file system: the old
# engine's pid files would name a process that is gone, or now another one, and dockerd refuses
# to start over them.
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid
if [ -n "${REGISTRY_UPSTREAM:-}" ]; then
  socat "TCP-LISTEN:${REGISTRY_PORT:-5000},bind=127.0.0.1,fork,reuseaddr" "TCP:${REGISTRY_UPSTREAM}" &
fi
exec dockerd --host=unix:///var/run/docker.sock "$@"
