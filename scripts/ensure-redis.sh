#!/usr/bin/env bash
# Makes sure a Redis answers on 127.0.0.1:6379 for the tests that use it (the cache and the
# API's rate counters). Starts a throwaway one (nothing kept on disk) when it is installed and
# down; when it cannot, those tests skip with a reason and the rest run.
set -uo pipefail
if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then exit 0; fi
if ! command -v redis-server >/dev/null; then
  echo "no redis-server: the Redis tests will skip" >&2
  exit 0
fi
redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes >/dev/null
for _ in $(seq 1 20); do
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "Redis did not start: the Redis tests will skip" >&2
exit 0
