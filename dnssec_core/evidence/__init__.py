"""Evidence bundles (issue 9): every verdict provable offline, later, by anyone."""
