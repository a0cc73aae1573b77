#!/usr/bin/env bash
# Starts the local Postgres and Redis when they are down (CI and fresh machines), and waits for them.
set -uo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  echo "starting Postgres"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! redis_up; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi

for _ in $(seq 1 30); do
  if pg_up && redis_up; then
    echo "Postgres and Redis are up"
    exit 0
  fi
  sleep 1
done
pg_up || echo "Postgres is not reachable on 127.0.0.1:5432" >&2
redis_up || echo "Redis is not reachable on 127.0.0.1:6379" >&2
exit 1
