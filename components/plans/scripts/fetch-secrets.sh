#!/bin/bash
# At each start: the cookie and release.secrets (where from: secrets.sh) into secrets.env under the
# release unit's RuntimeDirectory (tmpfs, 0600, the release user's, gone when the release stops).
# Installed by elixir-cluster from components/plans/scripts/fetch-secrets.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# A line of secrets.sh, `secret VARIABLE REFERENCE JSON_KEY AWS_CALL...`, appends VARIABLE="value": the
# value goes from the aws CLI's stdout to env-assignment's stdin, never on a command line or in a log.
secret() {
  local response
  if ! response=$(retry aws "${@:4}" --region "${REGION}" --output json); then
    echo "$1: cannot read $2" >&2
    exit 1
  fi
  printf '%s' "${response}" | "$(dirname "${BASH_SOURCE[0]}")/env-assignment" "$1" "$2" ${3:+"$3"} >> "${partial}"
}

main() {
  : "${RUNTIME_DIRECTORY:?run by the release unit, which sets RuntimeDirectory=}"
  umask 077
  # Whole or not at all: a start that fails leaves no secret behind.
  partial=$(mktemp "${RUNTIME_DIRECTORY}/.${SECRETS_ENV}.XXXXXX")
  trap 'rm -f "${partial}"' EXIT
  # shellcheck source=/dev/null
  source "$(dirname "${BASH_SOURCE[0]}")/secrets.sh"
  mv "${partial}" "${RUNTIME_DIRECTORY}/${SECRETS_ENV}"
  trap - EXIT
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
