"""Weekly training of the credit default model.

    python train_model.py --input applicants.csv --output-dir out/
    CREDIT_RISK_INPUT=applicants.csv CREDIT_RISK_OUTPUT_DIR=out/ python train_model.py

Writes out/model.joblib and out/metrics.json.
"""

import argparse
import json
import logging
import os
import sys
from pathlib import Path

import joblib

from credit_risk_lib import load_data, prep_data, train_model

log = logging.getLogger("train_model")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=os.environ.get("CREDIT_RISK_INPUT"))
    parser.add_argument("--output-dir", default=os.environ.get("CREDIT_RISK_OUTPUT_DIR", "out"))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CREDIT_RISK_SEED", "7")))
    args = parser.parse_args()
    if not args.input:
        parser.error("give --input or set CREDIT_RISK_INPUT")
    return args


def main():
    logging.basicConfig(
        level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(message)s"
    )
    args = parse_args()
    frame = load_data(args.input)
    x, y = prep_data(frame)
    model, metrics = train_model(x, y, seed=args.seed)
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / "model.joblib")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    log.info("wrote %s and %s", out / "model.joblib", out / "metrics.json")


if __name__ == "__main__":
    main()
