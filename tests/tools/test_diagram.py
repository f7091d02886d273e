"""The Mermaid diagram (`preview --format mermaid`): drawn from what the shared stacks created."""

from __future__ import annotations

from tests.support.stacks import Applied
from tools.diagram import render_mermaid


def test_prod_shows_its_web_acl_and_where_its_flow_logs_go(prod: Applied):
    """prod's defaults: a web ACL of its own in front of the load balancer, logging to CloudWatch
    Logs, and every flow of the VPC recorded (plans: waf, flow_logs)."""
    [acl] = [r for r in prod.deployment.resources if r.type == "aws:wafv2/webAcl:WebAcl"]
    rules = len(acl.inputs["rules"])
    assert rules >= 1
    lines = render_mermaid(prod.deployment).splitlines()
    assert f'  waf{{{{"AWS WAF web ACL: {rules} rules"}}}}' in lines
    assert "  waf -.-|inspects requests to| lb" in lines
    assert "  waf -.->|logs| waflogs" in lines
    assert '  flowlogs[("VPC flow logs: ALL traffic to CloudWatch Logs")]' in lines
    assert "  vpc -.->|flow records| flowlogs" in lines


def test_dev_draws_no_firewall_and_no_flow_logs(dev: Applied):
    """dev leaves both off: what the stack did not create is not drawn."""
    diagram = render_mermaid(dev.deployment)
    assert "waf" not in diagram and "flowlogs" not in diagram
