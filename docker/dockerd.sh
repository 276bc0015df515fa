#!/usr/bin/env bash
# Starts or stops a Docker engine for the project's Docker test (test/docker/) and CI, without
# systemd, on a machine where only host networking is wanted:
#
#   docker/dockerd.sh start   # prints "running" when an engine already answers, else starts
#                             # dockerd and prints "started PID" once it answers (60 s at most)
#   docker/dockerd.sh stop    # stops the dockerd of the pid file (SIGTERM, 30 s at most)
#
# The engine gets no bridge network and leaves iptables and IP forwarding alone: every
# container and every build runs with --network host. Needs root. Settings (environment):
#   DOCKERD_DATA_ROOT  where images and volumes live (default /var/lib/docker, kept between runs)
#   DOCKERD_PIDFILE    dockerd's pid file (default /var/run/docker.pid)
#   DOCKERD_LOG        dockerd's output (default /var/log/dockerd.log)
#   DOCKER             the docker client (default /usr/bin/docker when present, else docker)
set -euo pipefail

data_root=${DOCKERD_DATA_ROOT:-/var/lib/docker}
pidfile=${DOCKERD_PIDFILE:-/var/run/docker.pid}
log=${DOCKERD_LOG:-/var/log/dockerd.log}
if [[ -z ${DOCKER:-} ]]; then
  if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
fi

answers() { "$DOCKER" info >/dev/null 2>&1; }

case "${1:-}" in
  start)
    if answers; then
      echo running
      exit 0
    fi
    command -v dockerd >/dev/null || {
      echo "dockerd not found (apt-get install docker.io)" >&2
      exit 1
    }
    if [[ $(id -u) != 0 ]]; then
      echo "starting dockerd needs root" >&2
      exit 1
    fi
    mkdir -p "$(dirname "$log")" "$data_root"
    # setsid: the engine outlives this script and the shell that ran it (CI starts it once for
    # the whole run); it is stopped by its pid with `stop`.
    setsid dockerd \
      --data-root "$data_root" \
      --pidfile "$pidfile" \
      --host unix:///var/run/docker.sock \
      --bridge none \
      --iptables=false \
      --ip-forward=false \
      --ip-masq=false \
      >>"$log" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 1 120); do
      if answers; then
        echo "started $pid"
        exit 0
      fi
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "dockerd exited at start; the end of $log:" >&2
        tail -n 20 "$log" >&2
        exit 1
      fi
      sleep 0.5
    done
    echo "dockerd did not answer within 60 s; the end of $log:" >&2
    tail -n 20 "$log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
    ;;
  stop)
    [[ -s $pidfile ]] || {
      echo "no pid file $pidfile: nothing to stop" >&2
      exit 0
    }
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || {
        echo "stopped $pid"
        exit 0
      }
      sleep 0.5
    done
    echo "dockerd $pid still running 30 s after SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
