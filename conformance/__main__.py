"""``python -m conformance`` is ``vcservice-conformance``."""

from conformance.cli import main

main()
