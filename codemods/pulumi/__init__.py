"""Rules about Pulumi programs."""
