"""One module per AWS service (and pulumi-random), each registering a handler per Pulumi type.

Every module has one shape (STYLE.md, rule 9): a docstring of what it covers and what moto
lacks, then one function per Pulumi type, named after it, registered with `@resource(token)`
or `@invoke(token)` (`../core/registry.py`), and, for a change to an applied stack, its
`@updates(token, handles=...)` (or `no_update`) and `@deletes(token)` handlers. `force_new`
holds the provider's replacement facts for every type. acm, ec2, s3, ssm and wafv2 also hold the
`provide_*` fixtures that create what a stack references but does not own; secretsmanager holds
only its fixture (a stack references secrets, it never creates one). Importing this package
registers every handler.
"""

from . import (  # noqa: F401 - each registers its handlers
    acm,
    autoscaling,
    cloudwatch,
    ec2,
    elbv2,
    force_new,
    iam,
    kms,
    logs,
    random_provider,
    s3,
    secretsmanager,
    servicediscovery,
    sns,
    ssm,
    wafv2,
)
