"""``python -m demand_forecasting land|rollback ...`` (see ``mlplatform.cli``)."""

import sys

from demand_forecasting.definitions import spec
from mlplatform.cli import main

sys.exit(main(spec))
