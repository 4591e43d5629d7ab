"""``python -m vehicle_pricing land|rollback ...`` (see ``mlplatform.cli``)."""

import sys

from mlplatform.cli import main
from vehicle_pricing.definitions import spec

sys.exit(main(spec))
