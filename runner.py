#!/usr/bin/env python3
"""customer_pyramid runner: the same command as `customer-pyramid` (see customer_pyramid/cli.py).

Run `python runner.py --help` or `python runner.py <command> --help`.
"""

import sys

from customer_pyramid.cli import main

if __name__ == "__main__":
    sys.exit(main())
