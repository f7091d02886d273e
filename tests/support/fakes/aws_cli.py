"""`aws` as the node's scripts call it: parsed as the AWS CLI parses it, answered from a state file.

The command line is judged against botocore's service models, the same API models the AWS
CLI builds its commands from: a service or operation that does not exist, an option the
operation does not take or a required one left out is a usage error (exit 252), as the CLI
reports it. The models of MODELLED_SERVICES are read once, in the test process
(`write_cli_model`), into the folder $FAKE_AWS_MODEL, one small file per operation
(`<service>/<operation>.json`), so a call neither loads botocore nor parses every model. `--region` is
required: a node has no configured region, and the CLI refuses to call without one (exit 253). https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-returncodes.html

What AWS would answer comes from $FAKE_AWS_STATE (JSON), and what AWS would refuse is
refused with AWS's error code (exit 254, "An error occurred (<Code>) when calling the <Op>
operation"):

- ssm get-parameter: `parameters` name -> value, or -> {"versions": [value, ...], "labels":
  {label: version}}; Name is a name or the parameter's ARN, optionally `:version` or `:label`
  (GetParameter's selectors); a SecureString comes back decrypted only with --with-decryption
  (otherwise the ciphertext); an unknown name or label is ParameterNotFound, an unknown version
  ParameterVersionNotFound;
- secretsmanager get-secret-value: `secrets` ARN -> text (one version, AWSCURRENT), or ->
  {"versions": [{"id": ..., "stages": [...], "text": ... | "binary": ...}, ...]}; the version is
  --version-id's, else --version-stage's, else AWSCURRENT's; a secret or version that is not
  there is ResourceNotFoundException, a stage the version id lacks InvalidRequestException;
- autoscaling describe-auto-scaling-groups: `groups` name -> {"hooks": {name: transition},
  "instances": {id: lifecycle state}}; the groups named that exist (AWS leaves the others out),
  each instance with its LifecycleState;
- autoscaling complete-lifecycle-action: a ValidationError for an unknown group or hook, a
  result other than CONTINUE or ABANDON, or an instance that hook does not hold (Pending:Wait for
  a launch hook, Terminating:Wait for a termination hook: "No active Lifecycle Action found");
  accepted actions are appended to `completed`, and the instance moves on as AWS moves it
  (a launch: CONTINUE to InService, ABANDON to Terminating; a termination: Terminating:Proceed);
- ec2 describe-instances: `instances` id -> {"PrivateIpAddress": ...}; an id that is not there
  is InvalidInstanceID.NotFound, as AWS refuses the whole call;
- servicediscovery register-instance / deregister-instance: `services` id -> {"instances": {}};
  an unknown service is ServiceNotFound, registering without an address attribute is
  InvalidInput, deregistering an instance never registered is InstanceNotFound;
- s3 cp s3://bucket/key FILE: `objects` URL -> local file; a missing key fails as the CLI
  does (exit 1). Its options are the documented ones of `aws s3 cp`.

`--query` is JMESPath and `--output` json or text, as the CLI applies them (text: a list of lists
one row a line, a list of values on one line, tab-separated, and null as None). A list option
takes its values as the words after it (`--instance-ids i-1 i-2`).
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

# What only some calls need is imported where it is needed (jmespath with --query, uuid, shutil):
# `python -m tests.support.fakes.aws_cli` still runs a call in a process of its own.

USAGE_ERROR = 252
CONFIGURATION_ERROR = 253
SERVICE_ERROR = 254
S3_FAILURE = 1

GLOBAL_OPTIONS = {
    "--region": 1, "--output": 1, "--query": 1, "--endpoint-url": 1, "--profile": 1,
    "--cli-read-timeout": 1, "--cli-connect-timeout": 1, "--color": 1, "--ca-bundle": 1,
    "--cli-binary-format": 1, "--debug": 0, "--no-paginate": 0, "--no-verify-ssl": 0,
    "--no-sign-request": 0, "--no-cli-pager": 0, "--cli-auto-prompt": 0, "--no-cli-auto-prompt": 0,
}  # fmt: skip
"""The CLI's global options and how many values each takes (`aws help`)."""

S3_CP_OPTIONS = {
    "--dryrun": 0, "--quiet": 0, "--include": 1, "--exclude": 1, "--acl": 1, "--follow-symlinks": 0,
    "--no-follow-symlinks": 0, "--no-guess-mime-type": 0, "--sse": 1, "--sse-c": 1, "--sse-c-key": 1,
    "--sse-kms-key-id": 1, "--storage-class": 1, "--grants": 1, "--website-redirect": 1,
    "--content-type": 1, "--cache-control": 1, "--content-disposition": 1, "--content-encoding": 1,
    "--content-language": 1, "--expires": 1, "--source-region": 1, "--only-show-errors": 0,
    "--no-progress": 0, "--page-size": 1, "--ignore-glacier-warnings": 0, "--force-glacier-transfer": 0,
    "--request-payer": 1, "--metadata": 1, "--metadata-directive": 1, "--expected-size": 1,
    "--recursive": 0, "--checksum-mode": 1, "--checksum-algorithm": 1,
}  # fmt: skip
"""`aws s3 cp` options (https://docs.aws.amazon.com/cli/latest/reference/s3/cp.html)."""

OUTPUTS = ("json", "text", "table", "yaml", "yaml-stream")

MODELLED_SERVICES = ("autoscaling", "ec2", "secretsmanager", "servicediscovery", "ssm")
"""The services the node's scripts call (and `s3 cp`, below); any other is refused."""

Operation = dict[str, Any]
"""{"name": "GetParameter", "options": {"--name": ["Name", "string"], ...}, "required": ["--name"]}"""


class Refused(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def usage(message: str) -> Refused:
    return Refused(USAGE_ERROR, f"usage: aws [options] <command> <subcommand> [parameters]\naws: error: {message}")


def aws_error(code: str, operation: str, message: str) -> Refused:
    return Refused(SERVICE_ERROR, f"An error occurred ({code}) when calling the {operation} operation: {message}")


def main(
    argv: list[str] | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    cwd: str | None = None,
) -> int:
    """One call: its exit code, what it prints on `out` and `err`. The call's environment and
    working directory are the process's own unless given (tests/support/fakes/aws_server.py answers
    a node's calls in the test process)."""
    argv = sys.argv[1:] if argv is None else argv
    env = os.environ if env is None else env
    out, err = out or sys.stdout, err or sys.stderr
    with open(env["FAKE_CALLS"], "a") as calls:
        calls.write(" ".join(["aws", *argv]) + "\n")
    try:
        words, options = _split(argv)
        if len(words) < 2:
            raise usage("the following arguments are required: command, operation")
        if "--region" not in options:
            raise Refused(
                CONFIGURATION_ERROR,
                'You must specify a region. You can also configure your region by running "aws configure".',
            )
        output = options.pop("--output", ["json"])[0]
        if output not in OUTPUTS:
            raise usage(f"argument --output: Invalid choice, valid choices are: {' | '.join(OUTPUTS)}")
        query = options.pop("--query", [None])[0]
        for name in GLOBAL_OPTIONS:
            options.pop(name, None)
        state_file = env["FAKE_AWS_STATE"]
        with open(state_file) as stored:
            state = json.load(stored)
        if words[0] == "s3":
            _s3(words[1:], options, state, cwd or os.getcwd())
            return 0
        service, operation = _operation(words, env["FAKE_AWS_MODEL"])
        params = _parameters(operation, options)
        handler = HANDLERS.get((service, operation["name"]))
        if handler is None:
            raise Refused(255, f"the fake aws does not answer {service} {words[1]}")
        response = handler(params, state)
        with open(state_file, "w") as stored:
            stored.write(json.dumps(state, indent=2))
    except Refused as refused:
        print(refused, file=err)
        return refused.code
    _print(response, query, output, out)
    return 0


def _split(argv: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Positional words, and each option with the values that follow it (global ones anywhere)."""
    counts = GLOBAL_OPTIONS | (S3_CP_OPTIONS if argv[:1] == ["s3"] else {})
    words: list[str] = []
    options: dict[str, list[str]] = {}
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg.startswith("--"):
            count = counts.get(arg)
            values: list[str] = []
            index += 1
            while index < len(argv) and not argv[index].startswith("--") and (count is None or len(values) < count):
                values.append(argv[index])
                index += 1
            if arg in options:
                raise usage(f"argument {arg}: expected one argument, given twice")
            options[arg] = values
            continue
        words.append(arg)
        index += 1
    return words, options


def write_cli_model(directory: Path) -> None:
    """MODELLED_SERVICES' commands and options, as the CLI derives them from botocore's models: one
    file per operation, `directory/<service>/<command>.json`."""
    from botocore import xform_name
    from botocore.loaders import Loader
    from botocore.model import ServiceModel

    loader = Loader()
    for command in MODELLED_SERVICES:
        service = ServiceModel(loader.load_service_model(command, "service-2"), command)
        (directory / command).mkdir(parents=True)
        for name in service.operation_names:
            shape = service.operation_model(name).input_shape
            members = shape.members if shape is not None else {}
            operation: Operation = {
                "name": name,
                "options": {
                    f"--{xform_name(member, '-')}": [member, kind.type_name] for member, kind in members.items()
                },
                "required": [f"--{xform_name(member, '-')}" for member in (shape.required_members if shape else [])],
            }
            (directory / command / f"{xform_name(name, '-')}.json").write_text(json.dumps(operation))


def _operation(words: list[str], model: str) -> tuple[str, Operation]:
    service, command, *extra = words
    if extra:
        raise usage(f"Unknown options: {', '.join(extra)}")
    # a word that is not a plain name (a path, a dot) can name no service or operation
    if not service.replace("-", "").isalnum() or not os.path.isdir(os.path.join(model, service)):
        raise usage(f"argument command: Invalid choice: '{service}'")
    try:
        if not command.replace("-", "").isalnum():
            raise FileNotFoundError(command)
        with open(os.path.join(model, service, f"{command}.json")) as described:
            return service, json.load(described)
    except FileNotFoundError:
        raise usage(f"argument operation: Invalid choice: '{command}'") from None


def _parameters(operation: Operation, options: dict[str, list[str]]) -> dict[str, Any]:
    flags = operation["options"]
    params: dict[str, Any] = {}
    for option, values in options.items():
        negated = option.startswith("--no-") and f"--{option.removeprefix('--no-')}" in flags
        flag = f"--{option.removeprefix('--no-')}" if negated else option
        if flag not in flags:
            raise usage(f"Unknown options: {option}")
        name, kind = flags[flag]
        params[name] = _value(option, kind, values, negated)
    missing = [flag for flag in operation["required"] if flags[flag][0] not in params]
    if missing:
        raise usage(f"the following arguments are required: {', '.join(missing)}")
    return params


def _value(option: str, kind: str, values: list[str], negated: bool) -> Any:
    if kind == "list":
        if not values:
            raise usage(f"argument {option}: expected at least one argument")
        return values
    if kind == "boolean":
        if values:
            raise usage(f"Unknown options: {', '.join(values)}")
        return not negated
    if kind == "map":
        pairs = [pair.split("=", 1) for value in values for pair in value.split(",")]
        if not values or any(len(pair) != 2 for pair in pairs):
            raise usage(f"argument {option}: expected Key=Value shorthand, got {' '.join(values)!r}")
        return dict(pairs)
    if len(values) != 1:
        raise usage(f"argument {option}: expected one argument")
    if kind in ("integer", "long"):
        if not values[0].lstrip("-").isdigit():
            raise usage(f"argument {option}: invalid int value: '{values[0]}'")
        return int(values[0])
    if kind != "string":
        raise Refused(255, f"the fake aws does not parse {kind} parameters ({option})")
    return values[0]


def _print(response: dict[str, Any], query: str | None, output: str, out: TextIO) -> None:
    if query:
        import jmespath

        result = jmespath.search(query, response)
    else:
        result = response
    if result is None:
        print("null" if output == "json" else "None", file=out)  # as the CLI prints a query that finds nothing
        return
    if result == {}:
        return
    if output != "text":
        print(json.dumps(result, indent=4), file=out)
    elif isinstance(result, list) and result and all(isinstance(row, list) for row in result):
        for row in result:  # the text formatter's rows
            print("\t".join(map(str, _leaves(row))), file=out)
    else:
        print(result if isinstance(result, str) else "\t".join(map(str, _leaves(result))), file=out)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


# --- what AWS answers ----------------------------------------------------------------------------


def _parameter_name(given: str) -> tuple[str, str]:
    """(name, selector) of GetParameter's Name: a name or an ARN, optionally `:version` or `:label`."""
    if given.startswith("arn:"):
        path, _, selector = given.partition(":parameter/")[2].partition(":")
        return ("/" + path if "/" in path else path), selector
    name, _, selector = given.partition(":")
    return name, selector


def _get_parameter(params: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    name, selector = _parameter_name(params["Name"])
    stored = state.get("parameters", {}).get(name)
    if stored is None:
        raise aws_error("ParameterNotFound", "GetParameter", "")
    versions, labels = ([stored], {}) if isinstance(stored, str) else (stored["versions"], stored.get("labels", {}))
    version = len(versions)
    if selector.isdigit():
        version = int(selector)
        if not 1 <= version <= len(versions):
            raise aws_error(
                "ParameterVersionNotFound", "GetParameter", f"Systems Manager could not find version {version}"
            )
    elif selector:
        if selector not in labels:
            raise aws_error("ParameterNotFound", "GetParameter", "")
        version = labels[selector]
    value = versions[version - 1]
    if not params.get("WithDecryption"):
        value = "AQICAHh" + value.encode().hex()  # a SecureString stays encrypted
    return {"Parameter": {"Name": name, "Type": "SecureString", "Value": value, "Version": version}}


def _get_secret_value(params: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    operation, arn = "GetSecretValue", params["SecretId"]
    stored = state.get("secrets", {}).get(arn)
    if stored is None:
        raise aws_error("ResourceNotFoundException", operation, "Secrets Manager can't find the specified secret.")
    versions = (
        stored["versions"] if isinstance(stored, dict) else [{"id": "v1", "stages": ["AWSCURRENT"], "text": stored}]
    )
    wanted_id, stage = params.get("VersionId"), params.get("VersionStage")
    if wanted_id:
        found = next((v for v in versions if v["id"] == wanted_id), None)
        missing = f"for VersionId: {wanted_id}"
        if found is not None and stage and stage not in found["stages"]:
            raise aws_error(
                "InvalidRequestException",
                operation,
                "You provided a VersionStage that is not associated to the provided VersionId.",
            )
    else:
        stage = stage or "AWSCURRENT"
        found = next((v for v in versions if stage in v["stages"]), None)
        missing = f"for staging label: {stage}"
    if found is None:
        raise aws_error(
            "ResourceNotFoundException", operation, f"Secrets Manager can't find the specified secret value {missing}"
        )
    value = {"SecretString": found["text"]} if "text" in found else {"SecretBinary": found["binary"]}
    name = arn.split(":", 6)[6][:-7]  # the ARN's name less the six characters Secrets Manager added
    return {"ARN": arn, "Name": name, "VersionId": found["id"], **value, "VersionStages": found["stages"]}


HELD = {
    "autoscaling:EC2_INSTANCE_LAUNCHING": "Pending:Wait",
    "autoscaling:EC2_INSTANCE_TERMINATING": "Terminating:Wait",
}
"""The state each kind of hook holds an instance in."""

AFTER = {
    ("Pending:Wait", "CONTINUE"): "InService",
    ("Pending:Wait", "ABANDON"): "Terminating",
    ("Terminating:Wait", "CONTINUE"): "Terminating:Proceed",
    ("Terminating:Wait", "ABANDON"): "Terminating:Proceed",
}


def _describe_auto_scaling_groups(params: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    groups = state.get("groups", {})
    names = params.get("AutoScalingGroupNames") or list(groups)
    return {
        "AutoScalingGroups": [
            {
                "AutoScalingGroupName": name,
                "Instances": [
                    {"InstanceId": instance, "LifecycleState": lifecycle, "HealthStatus": "Healthy"}
                    for instance, lifecycle in groups[name]["instances"].items()
                ],
            }
            for name in names
            if name in groups
        ]
    }


def _complete_lifecycle_action(params: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    operation = "CompleteLifecycleAction"
    group = state.get("groups", {}).get(params["AutoScalingGroupName"])
    if group is None or params["LifecycleHookName"] not in group["hooks"]:
        raise aws_error(
            "ValidationError",
            operation,
            f"No active Lifecycle Action found with hook name {params['LifecycleHookName']}",
        )
    if params["LifecycleActionResult"] not in ("CONTINUE", "ABANDON"):
        raise aws_error("ValidationError", operation, "LifecycleActionResult must be CONTINUE or ABANDON")
    instance = params.get("InstanceId")
    held = HELD[group["hooks"][params["LifecycleHookName"]]]
    if group["instances"].get(instance) != held and "LifecycleActionToken" not in params:
        raise aws_error("ValidationError", operation, f"No active Lifecycle Action found with instance ID {instance}")
    if instance in group["instances"]:
        group["instances"][instance] = AFTER[held, params["LifecycleActionResult"]]
    state.setdefault("completed", []).append(params)
    return {}


def _describe_instances(params: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    known = state.get("instances", {})
    wanted = params.get("InstanceIds", [])
    missing = [instance for instance in wanted if instance not in known]
    if missing:
        raise aws_error(
            "InvalidInstanceID.NotFound", "DescribeInstances", f"The instance ID '{missing[0]}' does not exist"
        )
    found = [{"InstanceId": instance, **known[instance]} for instance in wanted or known]
    return {"Reservations": [{"Instances": found}] if found else []}


def _service(params: dict[str, Any], state: dict[str, Any], operation: str) -> dict[str, Any]:
    service = state.get("services", {}).get(params["ServiceId"])
    if service is None:
        raise aws_error("ServiceNotFound", operation, f"Service not found: {params['ServiceId']}")
    return service


def _register_instance(params: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    service = _service(params, state, "RegisterInstance")
    if not {"AWS_INSTANCE_IPV4", "AWS_INSTANCE_IPV6"} & set(params["Attributes"]):
        raise aws_error("InvalidInput", "RegisterInstance", "an A record service needs AWS_INSTANCE_IPV4")
    service["instances"][params["InstanceId"]] = params["Attributes"]
    return {"OperationId": _operation_id()}


def _deregister_instance(params: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    service = _service(params, state, "DeregisterInstance")
    if service["instances"].pop(params["InstanceId"], None) is None:
        raise aws_error("InstanceNotFound", "DeregisterInstance", f"Instance not found: {params['InstanceId']}")
    return {"OperationId": _operation_id()}


def _operation_id() -> str:
    import uuid

    return str(uuid.uuid4())


HANDLERS = {
    ("ssm", "GetParameter"): _get_parameter,
    ("secretsmanager", "GetSecretValue"): _get_secret_value,
    ("autoscaling", "CompleteLifecycleAction"): _complete_lifecycle_action,
    ("autoscaling", "DescribeAutoScalingGroups"): _describe_auto_scaling_groups,
    ("ec2", "DescribeInstances"): _describe_instances,
    ("servicediscovery", "RegisterInstance"): _register_instance,
    ("servicediscovery", "DeregisterInstance"): _deregister_instance,
}


def _s3(words: list[str], options: dict[str, list[str]], state: dict[str, Any], cwd: str) -> None:
    if words[0] != "cp":
        raise Refused(255, f"the fake aws implements `s3 cp` only, not `s3 {words[0]}`")
    for option, values in options.items():
        if option not in S3_CP_OPTIONS:
            raise usage(f"Unknown options: {option}")
        if len(values) != S3_CP_OPTIONS[option]:
            raise usage(f"argument {option}: expected {S3_CP_OPTIONS[option]} argument(s)")
    if len(words) != 3:
        raise usage("the following arguments are required: paths")
    source, target = words[1:]
    if source not in state.get("objects", {}):
        key = source.removeprefix("s3://").split("/", 1)[-1]
        error = (
            f'fatal error: An error occurred (404) when calling the HeadObject operation: Key "{key}" does not exist'
        )
        raise Refused(S3_FAILURE, error)
    import shutil

    shutil.copyfile(state["objects"][source], os.path.join(cwd, target))  # a relative target: the caller's


if __name__ == "__main__":
    sys.exit(main())
