"""``python -m ccinspect.cli``: the same as the ``ccinspect`` console script."""

import sys

from ccinspect.cli.main import main

sys.exit(main())
