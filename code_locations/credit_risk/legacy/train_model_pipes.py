"""train_model.py with Dagster Pipes: the same training, reporting to Dagster itself.

Run by the platform (ModelSpec(legacy=LegacyTraining(script="train_model_pipes.py"))), its log
lines and metrics reach the run through Pipes, so it writes no metrics.json. Run by hand it
still trains (Pipes is then a no-op and warns once).
"""

import logging
from pathlib import Path

import joblib
from dagster_pipes import open_dagster_pipes

from credit_risk_lib import load_data, prep_data, train_model
from train_model import parse_args


def main():
    args = parse_args()
    with open_dagster_pipes() as pipes:
        # credit_risk_lib's own log lines go to Dagster's run log too.
        logging.basicConfig(level=logging.INFO, handlers=[logging.StreamHandler()])
        logging.getLogger("credit_risk_lib").addHandler(_PipesHandler(pipes))
        frame = load_data(args.input)
        x, y = prep_data(frame)
        model, metrics = train_model(x, y, seed=args.seed)
        out = Path(args.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        joblib.dump(model, out / "model.joblib")
        pipes.log.info(f"trained on {len(x)} rows; roc_auc={metrics['roc_auc']:.4f}")
        pipes.report_asset_materialization(metadata=metrics)


class _PipesHandler(logging.Handler):
    def __init__(self, pipes):
        super().__init__()
        self.pipes = pipes

    def emit(self, record):
        self.pipes.log.log(record.levelno, self.format(record))


if __name__ == "__main__":
    main()
