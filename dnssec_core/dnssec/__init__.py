"""DNSSEC proper: records, key tags, keys, DS digests, RRSIG checks and algorithm policy."""
