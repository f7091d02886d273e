#!/bin/bash
# Boots this node: installs the release, names the node in its environment, starts it and its agents,
# then lets the launch hook script decide whether it takes requests.
# Installed by elixir-cluster from components/plans/scripts/bootstrap.sh; the stack's values are in stack.env.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Where the amazon-cloudwatch-agent package puts its control script.
CLOUDWATCH_AGENT_CTL=/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl
# Beside this script: completes the launch lifecycle hook once the release has joined.
LAUNCH_HOOK_SCRIPT="$(dirname "${BASH_SOURCE[0]}")/launch-hook"

# Downloads the release artifact to "$1".
fetch_artifact() {
  case "${ARTIFACT}" in
    s3://*) aws s3 cp --only-show-errors --region "${REGION}" "${ARTIFACT}" "$1" ;;
    *) curl --silent --show-error --fail --location --proto =https --retry 5 --retry-connrefused \
      --output "$1" "${ARTIFACT}" ;;
  esac
}

# Unpacks the release to RELEASE_ROOT, owned by root: the release user only reads it.
install_release() {
  local download
  download=$(mktemp -d)
  retry fetch_artifact "${download}/release.tar.gz"
  install -d -m 0755 "${RELEASE_ROOT}"
  tar --extract --gzip --no-same-owner --file "${download}/release.tar.gz" --directory "${RELEASE_ROOT}"
  rm -rf "${download}"
}

# Adds the node's name, from its private IPv4 "$1", to the release environment cloud-init
# wrote from the stack (afresh on every first boot): the one value only the node knows.
name_node() {
  local private_ip=$1
  printf 'RELEASE_NODE="%s@%s"\n' "${RELEASE}" "${private_ip}" >> "${RELEASE_ENV}"
}

# A bootstrap that fails leaves nothing that could join: the node is abandoned at once, not at the
# launch hook's heartbeat.
abandon_on_failure() {
  local status=$?
  if (( status != 0 )); then
    "${LAUNCH_HOOK_SCRIPT}" abandon "the bootstrap failed (exit ${status})" || true
  fi
}

main() {
  local private_ip
  trap abandon_on_failure EXIT
  private_ip=$(retry imds local-ipv4)
  install_release
  name_node "${private_ip}"
  systemctl daemon-reload
  systemctl enable "${DRAIN_UNIT}" "${RELEASE_UNIT}"
  # Without waiting: a unit that cannot start yet (IAM still propagating) restarts on its own.
  systemctl start --no-block "${DRAIN_UNIT}" "${RELEASE_UNIT}"
  "${CLOUDWATCH_AGENT_CTL}" -a fetch-config -m ec2 -s -c "file:${CLOUDWATCH_CONFIG}"
  echo "${RELEASE} started as ${RELEASE}@${private_ip}"
  trap - EXIT
  exec "${LAUNCH_HOOK_SCRIPT}"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
