#!/bin/bash
# `sleep` that returns at once, and refuses what GNU sleep refuses (sleep(1), coreutils): each
# operand is NUMBER[SUFFIX] with s, m, h or d, else "invalid time interval"; none is "missing
# operand"; both exit 1. The pauses are recorded in $FAKE_CALLS: the tests read a backoff there.
echo "sleep $*" >> "$FAKE_CALLS"
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
