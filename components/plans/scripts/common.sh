# shellcheck shell=bash
# Sourced by the node's scripts: the stack's values (stack.env beside this file), IMDSv2, retries.
# Installed by elixir-cluster from components/plans/scripts/common.sh.

# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/stack.env"

# One IMDSv2 read: a session token first (IMDSv1 is off), then the item.
imds() {
  local token
  token=$(curl --silent --show-error --fail --max-time 2 -X PUT \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "http://169.254.169.254/latest/api/token") || return 1
  curl --silent --show-error --fail --max-time 2 \
    -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"
}

# Runs "$@" until it succeeds, pausing 2, 4, 8... seconds; gives up after 6 tries,
# enough to ride out IAM propagation on a fresh instance.
retry() {
  local attempt=1 pause=2
  until "$@"; do
    if (( attempt >= 6 )); then
      echo "giving up after ${attempt} tries: $1 $2" >&2
      return 1
    fi
    sleep "${pause}"
    attempt=$(( attempt + 1 ))
    pause=$(( pause * 2 ))
  done
}
