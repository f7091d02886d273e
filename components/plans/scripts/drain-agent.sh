#!/bin/bash
# Drain agent: on scale-in, leaves the cluster, stops the release gracefully, lets the instance go.
# Installed by elixir-cluster from components/plans/scripts/drain-agent.sh; the stack's values are in stack.env.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Ceiling of the doubling pause while IMDS does not answer.
readonly MAX_BACKOFF_SECONDS=60

# This node's Cloud Map instance (dns discovery): "$1" is register-instance or deregister-instance.
cloud_map() {
  local service instance
  # Called as `cloud_map ... || echo`, where set -e does not apply: return on each failure.
  service=$(retry imds "tags/instance/${DISCOVERY_SERVICE_TAG}") || return 1
  instance=$(retry imds instance-id) || return 1
  if [[ "$1" == register-instance ]]; then
    local private_ip
    private_ip=$(retry imds local-ipv4) || return 1
    retry aws servicediscovery register-instance --region "${REGION}" --service-id "${service}" \
      --instance-id "${instance}" --attributes "AWS_INSTANCE_IPV4=${private_ip}" > /dev/null
  else
    retry aws servicediscovery deregister-instance --region "${REGION}" --service-id "${service}" \
      --instance-id "${instance}" > /dev/null
  fi
}

# Returns once Auto Scaling is terminating this instance.
# IMDS errors back off, doubling the pause up to MAX_BACKOFF_SECONDS.
wait_for_scale_in() {
  local pause=${DRAIN_POLL_SECONDS} state
  while true; do
    if state=$(imds autoscaling/target-lifecycle-state); then
      pause=${DRAIN_POLL_SECONDS}
      if [[ "${state}" == Terminated ]]; then
        return 0
      fi
    else
      pause=$(( pause * 2 > MAX_BACKOFF_SECONDS ? MAX_BACKOFF_SECONDS : pause * 2 ))
      echo "instance metadata did not answer; next try in ${pause}s" >&2
    fi
    sleep "${pause}"
  done
}

# Lets Auto Scaling terminate the instance now rather than at the hook's timeout.
complete_lifecycle_action() {
  local group instance
  group=$(retry imds "tags/instance/aws:autoscaling:groupName")
  instance=$(retry imds instance-id)
  retry aws autoscaling complete-lifecycle-action --region "${REGION}" \
    --lifecycle-hook-name "${LIFECYCLE_HOOK}" --auto-scaling-group-name "${group}" \
    --instance-id "${instance}" --lifecycle-action-result CONTINUE
}

main() {
  if [[ "${CLUSTER_DISCOVERY}" == dns ]]; then
    # Join DNS_CLUSTER_QUERY's answers once the release runs (this unit starts after it).
    # Unregistered, the node still dials its peers and the mesh still forms.
    cloud_map register-instance || echo 'Cloud Map registration failed' >&2
  fi
  wait_for_scale_in
  echo "scale-in: draining ${RELEASE_UNIT}"
  if [[ "${CLUSTER_DISCOVERY}" == dns ]]; then
    # Leave DNS first, so no node dials one that is going away.
    cloud_map deregister-instance || echo 'Cloud Map deregistration failed' >&2
  fi
  # Target state Terminated can come before the load balancer finished draining this
  # node: in-flight requests get the whole deregistration delay before the release stops.
  sleep "${LOAD_BALANCER_DRAIN_SECONDS}"
  # Bounded by the unit's TimeoutStopSec (drainSeconds plus a margin), then SIGKILL.
  systemctl stop "${RELEASE_UNIT}" || echo "${RELEASE_UNIT} did not stop cleanly" >&2
  complete_lifecycle_action
  echo "scale-in: lifecycle action completed"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
