#!/bin/bash
# `sleep` that returns at once, and refuses what GNU sleep refuses (sleep(1), coreutils): each
# operand is NUMBER[SUFFIX] with s, m, h or d, else "invalid time interval"; none is "missing
# operand"; both exit 1. The pauses are recorded in $FAKE_CALLS: the tests read a backoff there.
# With $FAKE_SLEEP_LIMIT, the sleep after that many ends the script that sleeps (SIGTERM): how a
# test stops a loop that waits for ever, after a count of rounds rather than a time.
echo "sleep $*" >> "$FAKE_CALLS"
if [[ -n "${FAKE_SLEEP_LIMIT:-}" ]] && (( $(grep -c '^sleep ' "$FAKE_CALLS") > FAKE_SLEEP_LIMIT )); then
  kill -TERM "$PPID"
  exit 0
fi
if (( $# == 0 )); then
  echo "sleep: missing operand" >&2
  exit 1
fi
for interval in "$@"; do
  if ! [[ "${interval}" =~ ^([0-9]+(\.[0-9]*)?|\.[0-9]+)[smhd]?$ ]]; then
    echo "sleep: invalid time interval '${interval}'" >&2
    exit 1
  fi
done
