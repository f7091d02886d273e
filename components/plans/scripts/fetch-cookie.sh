#!/bin/bash
# Reads the release cookie (SSM SecureString) into cookie.env under the release unit's RuntimeDirectory.
# Installed by elixir-cluster from components/plans/scripts/fetch-cookie.sh; the stack's values are in stack.env.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

main() {
  : "${RUNTIME_DIRECTORY:?run by the release unit, which sets RuntimeDirectory=}"
  umask 077
  local cookie
  # The value travels on stdout into a variable: never on a command line, never logged.
  cookie=$(retry aws ssm get-parameter --region "${REGION}" --name "${COOKIE_PARAMETER}" \
    --with-decryption --query Parameter.Value --output text)
  if [[ -z "${cookie}" || "${cookie}" == *[\'$'\n']* ]]; then
    echo "${COOKIE_PARAMETER} is empty or holds a quote or newline; refusing to write it" >&2
    return 1
  fi
  printf "RELEASE_COOKIE='%s'\n" "${cookie}" > "${RUNTIME_DIRECTORY}/cookie.env"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
