"""``python -m churn land [--rows N --seed S --drift D --format csv|parquet]``."""

import sys

from mlplatform.cli import main

from churn.definitions import spec

sys.exit(main(spec))
