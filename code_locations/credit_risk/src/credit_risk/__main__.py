"""``python -m credit_risk land|rollback ...`` (see ``mlplatform.cli``)."""

import sys

from credit_risk.definitions import spec
from mlplatform.cli import main

sys.exit(main(spec))
