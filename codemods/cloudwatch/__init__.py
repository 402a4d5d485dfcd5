"""Rules about CloudWatch alarms and metrics."""
