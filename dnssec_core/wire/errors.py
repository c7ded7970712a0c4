"""The one exception type for malformed wire or presentation data (SEC-PARSE-01)."""


class WireError(ValueError):
    """Malformed DNS data.  Callers turn it into a reasoned verdict or a one-line CLI error."""
