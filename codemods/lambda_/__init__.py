"""Rules about Lambda functions."""
