#!/bin/bash
# A mix release's bin/<name>, for `rpc EXPR` (and nothing else the scripts call): as the release
# script, it needs the node's name, its distribution and the cookie (RELEASE_NODE,
# RELEASE_DISTRIBUTION, RELEASE_COOKIE) and exactly one expression. It answers with the lines
# of $FAKE_ROOT/release-peers (Node.list(), one a line); without that file the release is not up:
# the rpc fails as `--rpc-eval` does against a node that does not answer.
echo "release $*" >> "$FAKE_CALLS"
env > "${FAKE_ROOT}/release-rpc.env"
if [[ "${1:-}" != rpc || $# -ne 2 ]]; then
  echo "ERROR: the fake release answers rpc EXPR only" >&2
  exit 1
fi
for name in RELEASE_NODE RELEASE_DISTRIBUTION RELEASE_COOKIE RELEASE_TMP; do
  if [[ -z "${!name:-}" ]]; then
    echo "ERROR: ${name} is not set" >&2
    exit 1
  fi
done
if [[ ! -f "${FAKE_ROOT}/release-peers" ]]; then
  echo "--rpc-eval : RPC failed with reason :nodedown" >&2
  exit 1
fi
cat "${FAKE_ROOT}/release-peers"
