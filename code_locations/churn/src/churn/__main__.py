"""``python -m churn land [--rows N --seed S --drift D --format csv|parquet]``."""

import sys

from churn.definitions import spec
from mlplatform.cli import main

sys.exit(main(spec))
