"""Rules about EventBridge (CloudWatch Events) rules and targets."""
