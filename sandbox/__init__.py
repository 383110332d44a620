"""The local sandbox: moto for AWS (aws_server) and the Databricks emulator, started by launcher."""

# The emulator's own AWS reads (validating account objects, as Databricks does on real AWS) carry this in
# their User-Agent, so moto's request log can tell them from the deployment's calls.
EMULATOR_USER_AGENT = "lakehouse-databricks-emulator"
