"""Wire-level building blocks: names, canonical form and signature input (RFC 4034 §6)."""
