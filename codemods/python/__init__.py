"""Rules about Python code: Lambda handlers and any other module."""
