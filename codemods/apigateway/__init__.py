"""Rules about API Gateway."""
