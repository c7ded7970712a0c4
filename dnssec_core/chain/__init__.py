"""The chain of trust: trust anchors, and (issue 5) the sans-I/O validating engine."""
