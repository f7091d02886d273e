#!/bin/bash
# Launch hook: the node takes requests once its release serves and has joined the cluster.
# Installed by elixir-cluster from components/plans/scripts/launch-hook.sh; the stack's values are in stack.env.
# `launch-hook`: CONTINUE once the release answers the load balancer's health check and sees a node
# in service (if the group has one) within JOIN_SECONDS, else ABANDON. `launch-hook abandon WHY`: ABANDON.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The group's instances, "<id> <lifecycle state>" a line.
instances() {
  retry aws autoscaling describe-auto-scaling-groups --region "${REGION}" --auto-scaling-group-names "${group}" \
    --query 'AutoScalingGroups[].Instances[].[InstanceId,LifecycleState]' --output text
}

# Whether a launch hook holds this node (Pending:Wait); the group's first nodes launch before it exists.
held() {
  local state=Pending
  while [[ "${state}" == Pending ]] && (( $(date +%s) < deadline )); do
    state=$(instances | awk -v id="${instance}" '$1 == id { print $2 }') || { echo "cannot read ${group}" >&2; return 1; }
    [[ "${state}" != Pending ]] || sleep "${JOIN_POLL_SECONDS}"
  done
  [[ "${state}" == Pending:Wait ]] || { echo "${instance} is ${state:-not in ${group}}: no launch hook holds it"; return 1; }
}

# Whether the release answers the health check with a status the matcher ("200", "200-299,302") accepts.
serves() {
  local range
  status=$(curl --silent --output /dev/null --max-time "${HEALTH_TIMEOUT}" --write-out '%{http_code}' \
    "http://${private_ip}:${HTTP_PORT}${HEALTH_CHECK_PATH}") || true
  for range in ${HEALTH_MATCHER//,/ }; do
    (( status < ${range%-*} || status > ${range#*-} )) || return 0
  done
  return 1
}

# The group's other nodes in service, "<release>@<private IPv4>" a line.
in_service() {
  local ids
  ids=$(instances | awk -v id="${instance}" '$2 == "InService" && $1 != id { print $1 }') || return 1
  # shellcheck disable=SC2086 # one argument per instance id
  [[ -z "${ids}" ]] || retry aws ec2 describe-instances --region "${REGION}" --instance-ids ${ids} \
    --query 'Reservations[].Instances[].PrivateIpAddress' --output text | tr '\t' '\n' | sed "s/^/${RELEASE}@/"
}

# Node.list() of the release, asked through its rpc as its user with its unit's environment: release.env,
# the cookie (the one variable of secrets.env exported), RELEASE_TMP.
peers() {
  (
    set -a
    # shellcheck source=/dev/null
    source "${RELEASE_ENV}"
    set +a
    # shellcheck source=/dev/null
    source "${RUNTIME_DIR}/${SECRETS_ENV}"
    export RELEASE_COOKIE RELEASE_TMP="${RUNTIME_DIR}"
    exec runuser -u "${RELEASE}" -- "${RELEASE_ROOT}/bin/${RELEASE}" rpc 'Enum.each(Node.list(), &IO.puts/1)'
  )
}

# Returns once the release serves and sees a node in service, or the group has none; fails at the
# deadline saying what it saw last.
joined() {
  local expected seen why
  while true; do
    if ! serves; then
      why="${HEALTH_CHECK_PATH} answered ${status}, not ${HEALTH_MATCHER}"
    elif ! expected=$(in_service); then
      why="the nodes in service could not be read"
    elif [[ -z "${expected}" ]]; then
      echo "serves ${HEALTH_CHECK_PATH}; no node in service to join"
      return 0
    elif ! seen=$(peers 2>&1); then
      why="bin/${RELEASE} rpc failed: ${seen##*$'\n'}"
    elif grep -qxFf <(echo "${expected}") <<< "${seen}"; then
      echo "serves ${HEALTH_CHECK_PATH}; sees $(grep -xFf <(echo "${expected}") <<< "${seen}" | paste -sd ' ')"
      return 0
    else
      why="sees none of the nodes in service ($(paste -sd ' ' <<< "${expected}")), only [$(paste -sd ' ' <<< "${seen}")]"
    fi
    if (( $(date +%s) >= deadline )); then
      echo "not joined within ${JOIN_SECONDS}s: ${why}" >&2
      return 1
    fi
    sleep "${JOIN_POLL_SECONDS}"
  done
}

complete() {
  retry aws autoscaling complete-lifecycle-action --region "${REGION}" --lifecycle-hook-name "${LAUNCH_HOOK}" \
    --auto-scaling-group-name "${group}" --instance-id "${instance}" --lifecycle-action-result "$1" > /dev/null
  echo "launch lifecycle action completed: $1"
}

main() {
  deadline=$(( $(date +%s) + JOIN_SECONDS ))
  group=$(retry imds "tags/instance/aws:autoscaling:groupName")
  instance=$(retry imds instance-id)
  held || return 0
  if [[ "${1:-}" == abandon ]]; then
    echo "abandoning ${instance}: $2" >&2
    complete ABANDON
  elif private_ip=$(retry imds local-ipv4) && joined; then
    complete CONTINUE
  else
    complete ABANDON
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
