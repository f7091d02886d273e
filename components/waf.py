"""WebApplicationFirewall: AWS WAF in front of the application load balancer.

With `loadBalancer.waf.webAclArn`, only the association of that existing web ACL with
the load balancer. Otherwise the web ACL of components/plans/waf.py (`created_web_acl`:
AWS managed rule groups and a per-client-IP rate limit, everything else allowed,
CloudWatch metrics per rule and for the ACL), its association, and its logging to an
EncryptedLogGroup named `aws-waf-logs-<cluster>` (AWS WAF logs only to log groups with
that prefix), filtered to blocked requests unless `logs.requests` is `all`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from .plans.waf import SCOPE, WafRulePlan, WebAclPlan, created_web_acl, visibility
from .settings import WafSettings


@dataclass
class WebApplicationFirewallArgs:
    waf: WafSettings
    """The `loadBalancer.waf` section: an existing web ACL (webAclArn), or the rules and logs of the one to create."""
    web_acl_name: str
    """The name of the web ACL to create, also its metric name (plans.names.web_acl_name)."""
    log_group_name: str
    """Where the created web ACL logs: `aws-waf-logs-<cluster>` (plans.names.waf_log_group_name)."""
    load_balancer_arn: pulumi.Input[str]
    """The application load balancer the web ACL protects."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on the web ACL, its log group and key."""


class WebApplicationFirewall(ClusterComponent):
    TOKEN = "elixir-cluster:index:WebApplicationFirewall"

    web_acl_arn: pulumi.Output[str]
    """The web ACL associated with the load balancer (created here, or the existing one)."""

    def __init__(self, name: str, args: WebApplicationFirewallArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        if args.waf.creates_web_acl:
            plan = created_web_acl(args.waf, name=args.web_acl_name, log_group_name=args.log_group_name)
            acl = self._web_acl(plan)
            self._log_to(acl, plan)
            self.web_acl_arn = acl.arn
        else:
            self.web_acl_arn = pulumi.Output.from_input(args.waf.web_acl_arn)
        aws.wafv2.WebAclAssociation(
            self._child_name("association"),
            resource_arn=args.load_balancer_arn,
            web_acl_arn=self.web_acl_arn,
            opts=self._child(),
        )
        self.register_outputs({"webAclArn": self.web_acl_arn})

    def _web_acl(self, plan: WebAclPlan) -> aws.wafv2.WebAcl:
        return aws.wafv2.WebAcl(
            self._child_name("web-acl"),
            name=plan.name,
            description=plan.description,
            scope=SCOPE,
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=[_rule(rule) for rule in plan.rules],
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(**_arguments(plan.described()["VisibilityConfig"])),
            tags=self._tags("web-acl"),
            opts=self._child(),
        )

    def _log_to(self, acl: aws.wafv2.WebAcl, plan: WebAclPlan) -> aws.wafv2.WebAclLoggingConfiguration:
        logs = EncryptedLogGroup(
            self._child_name("logs"),
            EncryptedLogGroupArgs(
                log_group_name=plan.log_group_name, retention_days=plan.log_retention_days, tags=self._stack_tags
            ),
            self._child(),
        )
        return aws.wafv2.WebAclLoggingConfiguration(
            self._child_name("logging"),
            resource_arn=acl.arn,
            log_destination_configs=[logs.arn],
            logging_filter=_logging_filter(plan.logging_filter()),
            opts=self._child(),
        )


def _rule(rule: WafRulePlan) -> aws.wafv2.WebAclRuleArgs:
    if rule.is_rate_limit:
        statement = aws.wafv2.WebAclRuleStatementArgs(
            rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                **_statement_values(rule, "RateBasedStatement")
            )
        )
        actions: dict[str, Any] = {
            "action": aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs())
        }
    else:
        statement = aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                **_statement_values(rule, "ManagedRuleGroupStatement")
            )
        )
        actions = {
            "override_action": aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs())
        }
    return aws.wafv2.WebAclRuleArgs(
        name=rule.name,
        priority=rule.priority,
        statement=statement,
        visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(**_arguments(visibility(rule.name))),
        **actions,
    )


_ARGUMENTS = {
    "Limit": "limit",
    "EvaluationWindowSec": "evaluation_window_sec",
    "AggregateKeyType": "aggregate_key_type",
    "VendorName": "vendor_name",
    "Name": "name",
    "SampledRequestsEnabled": "sampled_requests_enabled",
    "CloudWatchMetricsEnabled": "cloudwatch_metrics_enabled",
    "MetricName": "metric_name",
}
"""The plan's API names as pulumi-aws argument names."""


def _arguments(api: dict[str, Any]) -> dict[str, Any]:
    return {_ARGUMENTS[key]: value for key, value in api.items()}


def _statement_values(rule: WafRulePlan, kind: str) -> dict[str, Any]:
    return _arguments(rule.statement()[kind])


def _logging_filter(api: dict[str, Any] | None) -> aws.wafv2.WebAclLoggingConfigurationLoggingFilterArgs | None:
    if api is None:
        return None
    return aws.wafv2.WebAclLoggingConfigurationLoggingFilterArgs(
        default_behavior=api["DefaultBehavior"],
        filters=[
            aws.wafv2.WebAclLoggingConfigurationLoggingFilterFilterArgs(
                behavior=kept["Behavior"],
                requirement=kept["Requirement"],
                conditions=[
                    aws.wafv2.WebAclLoggingConfigurationLoggingFilterFilterConditionArgs(
                        action_condition=aws.wafv2.WebAclLoggingConfigurationLoggingFilterFilterConditionActionConditionArgs(
                            action=condition["ActionCondition"]["Action"]
                        )
                    )
                    for condition in kept["Conditions"]
                ],
            )
            for kept in api["Filters"]
        ],
    )
