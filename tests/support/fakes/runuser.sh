#!/bin/bash
# `runuser -u USER -- COMMAND...` as the scripts call it (runuser(1), util-linux): the user and the
# command are required, the environment passes through; the call is recorded in $FAKE_CALLS, then
# COMMAND runs as this test's user.
echo "runuser $*" >> "$FAKE_CALLS"
if [[ "${1:-}" != -u || -z "${2:-}" || "${3:-}" != -- || -z "${4:-}" ]]; then
  echo "runuser: the fake takes -u USER -- COMMAND [ARG...]" >&2
  exit 1
fi
shift 3
exec "$@"
