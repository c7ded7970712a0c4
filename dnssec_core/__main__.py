"""``python -m dnssec_core`` is the ``dnssec-core`` command."""

import sys

from dnssec_core.cli import main

sys.exit(main())
