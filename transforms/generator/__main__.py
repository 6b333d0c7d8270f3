"""`python -m transforms.generator ...`: write a synthetic landing zone (transforms.generator.generate)."""

import sys

from transforms.generator.generate import main

sys.exit(main())
