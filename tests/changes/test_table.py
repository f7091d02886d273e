"""tools/changes/table.py: the change report as a reviewer of a stack-file change reads it."""

from __future__ import annotations

import base64
import json

from tools.changes.report import ChangeReport
from tools.changes.table import render_table
from tools.emulator import Step


def report_of(*steps: Step, unchanged: int = 0, failure: str | None = None) -> ChangeReport:
    return ChangeReport("prod", "Pulumi.prod.yaml", list(steps), unchanged, None, failure)


def test_a_new_artifact_reads_as_the_line_of_user_data_it_changes_and_the_refresh_it_starts(prod_change):
    table = render_table(prod_change("new artifact"))
    assert table.startswith("Stack prod: the changes from Pulumi.prod.yaml, applied as `pulumi up` would\n")
    assert "~  update  aws:ec2/launchTemplate:LaunchTemplate  shop-nodes-template" in table
    assert "userData (base64 text; changed lines):" in table
    assert "-    ARTIFACT=s3://shop-releases/shop-1.4.2.tar.gz" in table
    assert "+    ARTIFACT=s3://shop-releases/shop-1.5.0.tar.gz" in table
    assert 'launchTemplate.version: "1" -> "2"' in table
    assert "3 nodes, 1 at a time (3 batches): at least 3 stay in service (minHealthyPercentage 90" in table
    assert "at most 4 run (maxHealthyPercentage 110, rounded up): a new node starts before an old one stops." in table
    assert "Checkpoints: pauses at 8% (then 600 s), 100% (the end: no pause)." in table
    assert (
        "Takes at least 17m45s: 3 x 120 s warmup, then 105 s for the last old node to drain, "
        "600 s of checkpoint pauses (boot and health checks come on top)."
    ) in table
    assert table.rstrip().endswith("3 to update; " + f"{prod_change('new artifact').unchanged} unchanged.")


def test_a_replacement_says_what_forces_it_and_where_pulumi_up_would_stop(prod_change):
    table = render_table(prod_change("internet-facing load balancer"))
    assert "+- replace aws:lb/loadBalancer:LoadBalancer  shop-lb-alb" in table
    assert "replaced because internal cannot change in place" in table
    assert "internal: true -> false" in table
    assert "FAILED: deleting the resource it replaces: aws:lb/loadBalancer:LoadBalancer 'shop-lb-alb'" in table
    assert (
        "\n`pulumi up` would stop here: aws:lb/loadBalancer:LoadBalancer 'shop-lb-alb': OperationNotPermitted" in table
    )


def test_json_text_shows_the_lines_it_changes():
    old = json.dumps({"Statement": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::r/shop-1.tar.gz"}]})
    new = old.replace("shop-1", "shop-2")
    step = Step("update", "urn", "aws:iam/rolePolicy:RolePolicy", "boot", {"policy": (old, new)})
    table = render_table(report_of(step, unchanged=4))
    assert "policy (JSON; changed lines):" in table
    assert '-      "Resource": "arn:aws:s3:::r/shop-1.tar.gz"' in table
    assert '+      "Resource": "arn:aws:s3:::r/shop-2.tar.gz"' in table
    assert table.rstrip().endswith("1 to update; 4 unchanged.")


def test_a_list_that_grows_shows_the_lines_of_the_element_it_gains():
    rule = {"name": "AWSManagedRulesCommonRuleSet", "priority": 1.0, "overrideAction": {"none": {}}}
    added = {"name": "AWSManagedRulesAnonymousIpList", "priority": 4.0, "overrideAction": {"none": {}}}
    step = Step("update", "urn", "aws:wafv2/webAcl:WebAcl", "acl", {"rules": ([rule], [rule, added])})
    table = render_table(report_of(step))
    assert "rules (JSON; changed lines):" in table
    assert '+    "name": "AWSManagedRulesAnonymousIpList",' in table
    assert '+    "priority": 4\n' in table  # whole numbers as the stack file writes them
    assert "AWSManagedRulesCommonRuleSet" not in table  # the rule that stays is not repeated


def test_a_long_changed_text_is_cut_to_its_first_changed_lines():
    old = base64.b64encode("\n".join(f"line {i}" for i in range(40)).encode()).decode()
    new = base64.b64encode("\n".join(f"LINE {i}" for i in range(40)).encode()).decode()
    table = render_table(
        report_of(Step("update", "urn", "aws:ec2/launchTemplate:LaunchTemplate", "t", {"userData": (old, new)}))
    )
    assert "  -line 0" in table and "... 68 more changed lines" in table


def test_secrets_and_deletes_and_creates():
    steps = (
        Step("update", "u", "aws:ssm/parameter:Parameter", "cookie", {"value": ("[secret]", "[secret]")}),
        Step("create", "c", "aws:sns/topic:Topic", "alerts"),
        Step("delete", "d", "aws:sns/topic:Topic", "old-alerts"),
    )
    table = render_table(report_of(*steps))
    assert "value: [secret] -> [secret]" in table
    assert "+  create  aws:sns/topic:Topic  alerts" in table
    assert "-  delete  aws:sns/topic:Topic  old-alerts" in table
    assert "1 to create, 1 to update, 1 to delete; 0 unchanged." in table


def test_no_change_says_so():
    table = render_table(report_of(unchanged=80))
    assert "  No changes." in table and "Nothing to do; 80 unchanged." in table
