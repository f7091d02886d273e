#!/bin/bash
# `sleep` that returns at once, and refuses what GNU sleep refuses (sleep(1), coreutils): each
# operand is NUMBER[SUFFIX] with s, m, h or d, else "invalid time interval"; none is "missing
# operand"; both exit 1. The pauses are recorded in $FAKE_CALLS: the tests read a backoff there.
# With $FAKE_SLEEP_LIMIT, the sleep after that many ends the script that sleeps (SIGTERM): how a
# test stops a loop that waits for ever, after a count of rounds rather than a time.
# With $FAKE_CLOCK, the pause moves that clock on (whole seconds, rounded up): the fake date reads it.
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
if [[ -n "${FAKE_CLOCK:-}" ]]; then
  printf '%s\n' "$@" | awk -v now="$(cat "${FAKE_CLOCK}")" '
    { unit = substr($0, length($0)); n = $0 + 0
      total += n * (unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 1) }
    END { printf "%d\n", now + int(total + 0.999999) }' > "${FAKE_CLOCK}.new"
  mv "${FAKE_CLOCK}.new" "${FAKE_CLOCK}"
fi
