"""The emulator's plumbing, which knows no AWS service.

`program` runs a Pulumi program in a fresh mock runtime, one account per `Emulator`;
`mocks` answers the runtime's registrations and invokes through the handler `registry`;
`session` gives handlers boto3 on the emulated account and the provider's naming; `wire`
converts values between the mock runtime's wire and AWS's API; `moto_fixtures` holds every
patch to moto's internals, `model_cache` the one to botocore (parsed models shared); `provider`
answers the AWS provider's own invokes (region, partition, caller identity); `update` applies an
edited program over an applied one as Pulumi's engine does (same inputs: nothing; changed inputs:
an update, or a replacement when the provider forces one; URNs gone: deleted), `diff` compares
inputs property by property. The handlers of each AWS service are in `../services/`.
"""

from . import model_cache

model_cache.install()  # before anything here imports moto, whose backends parse models at import
