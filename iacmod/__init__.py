"""iacmod: codemods that repair infrastructure-as-code and the Lambda code shipped with it."""

__version__ = "0.1.0"
