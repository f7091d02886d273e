"""Every patch the emulator makes to moto's internals, in one place, each with its reason.

`install()` runs once, when `tools.emulator` is imported, and applies the speed patches
to this process's moto: the in-process mock, and this project's moto server
(tools/emulator/server.py: `tools.preview --serve`, or `python -m tools.emulator.server`),
which imports this package. A stock moto server (`python -m moto.server`) gets none of them:
it is slower, and cannot create a resource under a pinned id.

Speed: each patch removes work whose result the emulated account never shows.

- AMIs: moto's EC2 backend builds its catalogue of ~1,300 public AMIs (each with a
  volume and a snapshot, 15k random ids) for every region it touches. Our programs name
  images by `resolve:ssm:`, which moto keeps as given, so the catalogue is never read.
  It is still built when MOTO_AMIS_PATH names one.
- IAM partitions: moto finds the account of every request by looking for its access key
  in each partition's IAM backend, creating all six and loading AWS's managed policies
  into each. Look only in the backends that exist: a key can only be in one of those.
- Managed policies: their JSON (4.7 MB) is parsed once per process, not per backend,
  and the ~1,300 policies made once; each account's IAM gets copies. moto gave every copy a
  random PolicyId (20 random draws each: a third of a small program's run, since each
  emulator is an account of its own); in AWS a managed policy has one id in every account.
- Reset: moto's start and stop re-initialise every backend in use and then discard it.
  Discarding is enough: nothing in moto or here keeps a backend across a reset.
- KMS: every key gets an RSA-2048 pair at creation, used only by sign/verify. Made on
  first use.
- Service models: moto makes a new botocore loader per model, each listing the ~400
  service directories. One loader serves them all.
- Dispatch: moto lists a response class's methods (inspect.getmembers) on every
  request to check the action exists. Listed once per class.

Fidelity: where moto refuses what AWS accepts.

- Flow logs to S3: moto looks up the bucket of `arn:aws:s3:::bucket/prefix/` by the whole
  `bucket/prefix/`, so a destination with a folder fails as if the bucket were missing.
  The bucket is looked up alone; the flow log keeps the destination it was given.
- Shared parameters: GetParameter takes another account's parameter by its ARN (AWS RAM shares
  it); moto strips only its own account's ARN prefix, then finds nothing. The emulator keeps
  the parameters a stack references in the stack's account (as it keeps the secrets a stack
  references under their ARNs, tools/emulator/services/ssm.py and secretsmanager.py), so any
  account's parameter ARN is read there by its name.
- IAM, when checks are on (INITIAL_NO_AUTH_ACTION_COUNT, `/moto-api/reset-auth`): moto judges
  a caller's policies against the resource its response class names (`_determine_resource`),
  which for most services is "*": a statement scoped to one ARN, as least privilege writes
  them, then never matches and every call is denied. For the reads of a release's secrets
  (SSM GetParameter, Secrets Manager GetSecretValue) the resource is named as IAM's
  authorization does (`AUTHORIZED_RESOURCE`): the parameter's ARN without its version or label,
  the secret's ARN. Conditions are still not evaluated by moto.

- IAM's action names, when checks are on: moto names the action it judges after the signing name
  of the request's credential scope, which for CloudWatch is `monitoring`, so it asks whether the
  caller may `monitoring:PutMetricData`. IAM's service prefix for CloudWatch is `cloudwatch`
  (Service Authorization Reference, "Actions, resources, and condition keys for Amazon
  CloudWatch"): a role granted `cloudwatch:PutMetricData`, as the stack's node role is, was
  refused by moto where AWS allows it. The action is renamed (`IAM_PREFIX_OF_SIGNING_NAME`);
  the signature is still checked under the signing name.

- Load balancer ARNs: moto names every one `loadbalancer/app/<name>/<id>`; AWS names a network
  load balancer's `loadbalancer/net/<name>/<id>` (and a gateway one's `gwy/`:
  elasticloadbalancingv2 ARN formats in the Service Authorization Reference). A network load
  balancer is renamed at creation, so its listeners' ARNs, `arnSuffix` and the CloudWatch
  dimensions derived from it read `net/` too.

- A launch template version's user data: moto 5.2's CreateLaunchTemplate parses the base64 text it
  receives, its CreateLaunchTemplateVersion keeps it as the string, and an assertion then fails
  wherever the version's user data is read: a group launching from it, or `/moto-api/data.json`.
  A new version's user data is parsed as the template's first is (`_parsed_user_data`).

Strictness: where AWS refuses what moto accepts.

- Deletion protection: moto deletes a load balancer whose `deletion_protection.enabled` is
  true. AWS refuses (OperationNotPermitted, "Load balancer '<arn>' cannot be deleted because
  deletion protection is enabled": API_DeleteLoadBalancer.html; the message as users meet it,
  rebuy-de/aws-nuke#1240, aws-cloudformation/rain#187), and so does `pulumi up` when it deletes
  one (the provider sends DeleteLoadBalancer as it is, elbv2/load_balancer.go).

Copies: core/account_state.py deep-copies an account's backends. moto's KMS keys hold the
lazy key pair above, shared by a copy (it never changes); SSM's ParameterDict takes the account
and region in its constructor, which copy's route for a defaultdict does not pass.

Auto Scaling: the instance refresh API moto lacks is in `instance_refresh.py`, what its groups
forget (default warmup, capacity rebalance on update, metrics collection) in
`group_attributes.py`; `install()` applies both.

Fixtures: moto cannot create a resource with a given id, so `pinned` makes its id (or
ARN) generator return the one a stack names, for `provide_*` in ec2, acm and wafv2 (through
`AwsSession.pinned`; the server's extension pins the same generators for a remote client).
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from unittest import mock

from moto.core import base_backend, loaders, responses
from moto.core import utils as core_utils
from moto.ec2.models import amis, launch_templates
from moto.ec2.models import flow_logs as ec2_flow_logs
from moto.ec2.utils import parse_user_data
from moto.elbv2 import models as elbv2
from moto.elbv2.exceptions import ELBClientError
from moto.iam import access_control
from moto.iam import models as iam
from moto.kms import models as kms
from moto.moto_api._internal import mock_random
from moto.secretsmanager.responses import SecretsManagerResponse
from moto.ssm import models as ssm
from moto.ssm.responses import SimpleSystemManagerResponse

from . import group_attributes, instance_refresh

_PIN_LOCK = threading.Lock()
_installed = False


def install() -> None:
    """Apply the speed patches (idempotent)."""
    global _installed
    if _installed:
        return
    amis.AmiBackend._load_amis = _load_amis_only_when_asked(amis.AmiBackend._load_amis)
    iam.get_account_id_from = _account_of_access_key
    iam.IAMBackend._init_aws_policies = _init_aws_policies
    base_backend.BackendDict.reset = classmethod(_discard_backends)
    kms.generate_private_key = _lazy_private_key(kms.generate_private_key)
    core_utils.create_loader = functools.cache(loaders.create_loader)
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)
    backend = ec2_flow_logs.FlowLogsBackend
    backend.create_flow_logs = _flow_logs_to_a_bucket_folder(backend.create_flow_logs)
    elbv2.ELBv2Backend.delete_load_balancer = _refusing_protected(elbv2.ELBv2Backend.delete_load_balancer)
    elbv2.ELBv2Backend.create_load_balancer = _arn_of_its_type(elbv2.ELBv2Backend.create_load_balancer)
    launch_templates.LaunchTemplate.create_version = _parsed_user_data(launch_templates.LaunchTemplate.create_version)
    ssm.ParameterDict.__deepcopy__ = _copy_parameters
    ssm.SimpleSystemManagerBackend._strip_parameter_arn = _strip_any_parameter_arn
    for response in {response for response, _ in AUTHORIZED_RESOURCE}:
        response._determine_resource = _authorized_resource
    access_control.IAMRequestBase.__init__ = _named_as_iam(access_control.IAMRequestBase.__init__)
    group_attributes.install()
    instance_refresh.install()
    _installed = True


IAM_PREFIX_OF_SIGNING_NAME = {"monitoring": "cloudwatch"}
"""A request's signing name -> IAM's service prefix for its actions, where the two differ."""


def _named_as_iam(init: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(init)
    def named(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        service, _, action = self._action.partition(":")
        if service in IAM_PREFIX_OF_SIGNING_NAME:
            self._action = f"{IAM_PREFIX_OF_SIGNING_NAME[service]}:{action}"

    return named


@contextmanager
def pinned(target: str, value: str) -> Iterator[None]:
    """moto's generator `target` (a dotted path) returns `value` inside the block, whatever its
    arguments (wafv2's ARN maker takes keywords)."""
    with _PIN_LOCK, mock.patch(target, lambda *_, **__: value):
        yield


@contextmanager
def ids_from(seed: str) -> Iterator[None]:
    """Inside the block, the ids moto makes up follow from `seed` alone (moto draws every one from its
    one generator, `mock_random`, which it lets callers seed); after it, the generator goes on as if
    the block had not drawn from it."""
    state = mock_random.getstate()
    mock_random.seed(seed)
    try:
        yield
    finally:
        mock_random.setstate(state)


# --- the speed patches --------------------------------------------------------------


def _load_amis_only_when_asked(load: Callable[[Any], None]) -> Callable[[Any], None]:
    def load_amis(backend: Any) -> None:
        if "MOTO_AMIS_PATH" in os.environ:
            load(backend)

    return load_amis


def _account_of_access_key(access_key: str) -> str:
    for account_id, account in list(iam.iam_backends.items()):
        if any(access_key in backend.access_keys for backend in list(account.values())):
            return account_id
    return iam.DEFAULT_ACCOUNT_ID


@functools.cache
def _aws_managed_policies() -> list[tuple[str, dict[str, Any], str]]:
    """(name, data, document as JSON) of each policy: parsed and serialised once per process."""
    data = json.loads(iam.aws_managed_policies_data)
    return [(name, policy, json.dumps(policy.get("Document"))) for name, policy in data.items()]


def _init_aws_policies(self: Any) -> list[Any]:
    """moto's own, from policies made once per process (`_aws_managed_policies_in`), copied for the
    account: a copy has its own attachment count, tags and versions."""
    if not iam.load_iam_aws_managed_policies():
        return []
    copies = []
    for made in _aws_managed_policies_in(self.region_name):
        policy = _copy_of(made)
        policy.account_id = self.account_id
        policy.tags = {}
        policy.versions = [_copy_of(version) for version in made.versions]
        copies.append(policy)
    return copies


def _copy_of(model: Any) -> Any:
    """A shallow copy of a moto model (copy.copy without its generic reduce route)."""
    copied = object.__new__(type(model))
    copied.__dict__.update(model.__dict__)
    return copied


@functools.cache
def _aws_managed_policies_in(region: str) -> list[Any]:
    """moto's AWS managed policies of `region`'s partition, made once, their ids drawn from a seed
    of their own (the same in every process, whatever the caller's `ids_from`)."""
    with ids_from("aws managed policies"):
        return [
            iam.AWSManagedPolicy(
                name,
                account_id=iam.DEFAULT_ACCOUNT_ID,
                region=region,
                default_version_id=data.get("DefaultVersionId"),
                path=data.get("Path"),
                document=document,
                create_date=datetime.fromisoformat(data["CreateDate"]),
                update_date=datetime.fromisoformat(data["UpdateDate"]),
            )
            for name, data, document in _aws_managed_policies()
        ]


def _discard_backends(cls: type) -> None:
    with base_backend.backend_lock:
        for backend in cls._instances:
            backend.clear()
        cls._instances.clear()


class _LazyPrivateKey:
    """Stands in for moto's key pair; makes it on first use."""

    def __init__(self, make: Callable[[], Any]):
        self._make = make

    @functools.cached_property
    def _key(self) -> Any:
        return self._make()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._key, name)

    def __deepcopy__(self, memo: dict) -> _LazyPrivateKey:
        return self  # a key pair never changes: a copied account may share it


def _lazy_private_key(generate: Callable[[str], Any]) -> Callable[[str], Any]:
    def generate_private_key(key_spec: str) -> Any:
        return _LazyPrivateKey(functools.partial(generate, key_spec))

    return generate_private_key


# --- copies of an account (core/account_state.py) ----------------------------------------


def _parsed_user_data(create_version: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(create_version)
    def parsed(self: Any, data: dict[str, Any], description: str) -> Any:
        if isinstance(data.get("UserData"), str):
            data = {**data, "UserData": parse_user_data(data["UserData"])}
        return create_version(self, data, description)

    return parsed


def _copy_parameters(self: Any, memo: dict) -> Any:
    """SSM's parameters, copied: moto's ParameterDict is a defaultdict whose constructor takes the
    account and region, which copy's generic route for defaultdicts does not pass."""
    copied = ssm.ParameterDict(self.account_id, self.region_name)
    memo[id(self)] = copied
    copied.__dict__.update(copy.deepcopy(self.__dict__, memo))
    for name, versions in self.items():
        copied[name] = copy.deepcopy(versions, memo)
    return copied


# --- fidelity -------------------------------------------------------------------------------


def _flow_logs_to_a_bucket_folder(create: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(create)

    def create_flow_logs(*args: Any, **kwargs: Any) -> Any:
        call = signature.bind(*args, **kwargs).arguments
        destination = call["log_destination"] or ""
        if call["log_destination_type"] != "s3" or "/" not in destination:
            return create(**call)
        flow_logs, unsuccessful = create(**{**call, "log_destination": destination.split("/", 1)[0]})
        for flow_log in flow_logs:
            flow_log.log_destination = destination
        return flow_logs, unsuccessful

    return create_flow_logs


def _strip_any_parameter_arn(self: Any, name: str) -> str:
    return _PARAMETER_ARN_PREFIX.sub("", name)


_PARAMETER_ARN_PREFIX = re.compile(r"^arn:[^:]+:ssm:[^:]+:\d{12}:parameter")
"""What makes a parameter's ARN of its name, in any account."""


# --- IAM: what a call is authorized against ---------------------------------------------------


def _parameter_arn(response: Any) -> str:
    """GetParameter's Name (a name or an ARN, with `:version` or `:label`) as the parameter's ARN."""
    name = response._get_param("Name") or ""
    if name.startswith("arn:"):
        head, _, path = name.partition(":parameter/")
        return f"{head}:parameter/{path.partition(':')[0]}"
    backend = response.ssm_backend
    path = name.partition(":")[0].lstrip("/")
    return f"arn:{backend.partition}:ssm:{backend.region_name}:{backend.account_id}:parameter/{path}"


def _secret_arn(response: Any) -> str:
    """GetSecretValue's SecretId (an ARN or a name) as the secret's ARN."""
    secret_id = response._get_param("SecretId") or ""
    secrets = response.backend.secrets
    return secrets[secret_id].arn if secret_id in secrets else secret_id


AUTHORIZED_RESOURCE: dict[tuple[type, str], Callable[[Any], str]] = {
    (SimpleSystemManagerResponse, "GetParameter"): _parameter_arn,
    (SecretsManagerResponse, "GetSecretValue"): _secret_arn,
}
"""(response class, action) -> the ARN IAM authorizes that call against; "*" for the others."""


def _authorized_resource(self: Any) -> str:
    named = AUTHORIZED_RESOURCE.get((type(self), self._get_action()))
    return named(self) if named else "*"


# --- strictness -----------------------------------------------------------------------------


class OperationNotPermitted(ELBClientError):
    code = "OperationNotPermitted"


ARN_KIND = {"application": "app", "network": "net", "gateway": "gwy"}
"""The load balancer type's part of its ARN, as AWS writes it."""


def _arn_of_its_type(create: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(create)
    def create_load_balancer(backend: Any, *args: Any, **kwargs: Any) -> Any:
        balancer = create(backend, *args, **kwargs)
        arn = balancer.arn.replace(":loadbalancer/app/", f":loadbalancer/{ARN_KIND.get(balancer.type, 'app')}/", 1)
        if arn != balancer.arn:
            backend.tagging_service.copy_tags(balancer.arn, arn)
            backend.tagging_service.delete_all_tags_for_resource(balancer.arn)
            backend.load_balancers[arn] = backend.load_balancers.pop(balancer.arn)
            balancer.arn = arn
        return balancer

    return create_load_balancer


def _refusing_protected(delete: Callable[[Any, str], None]) -> Callable[[Any, str], None]:
    def delete_load_balancer(backend: Any, arn: str) -> None:
        balancer = backend.load_balancers.get(arn)
        if balancer is not None and str(balancer.attrs.get("deletion_protection.enabled")).lower() == "true":
            raise OperationNotPermitted(
                f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
            )
        delete(backend, arn)

    return delete_load_balancer
