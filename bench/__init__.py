"""dnssec-core benchmarks (issue 7): ``python -m bench [--quick]``.

Not part of the package and never run by the test suite.  See bench/README.md.
"""
