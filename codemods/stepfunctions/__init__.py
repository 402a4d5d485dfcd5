"""Rules about Step Functions state machines."""
