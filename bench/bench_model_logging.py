"""Model log + register with pinned pip requirements vs MLflow inferring them, same process.

Target: pinned log + register <= 0.5 s. Both sides log the same fitted churn pipeline with a
signature and input example into a fresh SQLite store and register a version.
"""

import statistics
import tempfile
import time
from pathlib import Path

import mlflow
import mlflow.sklearn
from figures import figure
from mlflow.models import infer_signature
from mlflow_store import use_experiment

from churn.definitions import spec
from mlplatform.lifecycle.registry import log_trained_model, pinned_requirements
from mlplatform.steps.training import drift_reference, train

REPEATS = 3


def _log(trained, name: str, requirements: list[str] | None) -> float:
    example = trained.split.x_test.head(5)
    signature = infer_signature(example, trained.estimator.predict_proba(example))
    with mlflow.start_run():
        start = time.perf_counter()
        mlflow.sklearn.log_model(
            trained.estimator,
            name="model",
            pip_requirements=requirements,
            signature=signature,
            input_example=example,
            registered_model_name=name,
        )
        return time.perf_counter() - start


def _platform_log(trained) -> float:
    """The platform's whole step: params, metrics, tags, model, reference data, version tags."""
    reference = drift_reference(spec, trained)
    with mlflow.start_run():
        start = time.perf_counter()
        log_trained_model(spec, trained, reference, {"project": spec.name})
        return time.perf_counter() - start


def main() -> None:
    trained = train(spec, spec.model.build_features(spec.generate(5000, 1, 0.0)))
    with tempfile.TemporaryDirectory() as tmp:
        use_experiment(f"sqlite:///{Path(tmp) / 'mlflow.db'}", "bench")
        _log(trained, "warmup", pinned_requirements())  # first call pays lazy imports
        pinned = [_log(trained, "pinned", pinned_requirements()) for _ in range(REPEATS)]
        platform = [_platform_log(trained) for _ in range(REPEATS)]
        inferred = [_log(trained, "inferred", None) for _ in range(REPEATS)]
    p, i = statistics.median(pinned), statistics.median(inferred)
    full = statistics.median(platform)
    print(f"log+register, pinned requirements   median {p:.3f} s  (n={REPEATS}; target <= 0.5 s)")
    print(f"platform log_trained_model (all)    median {full:.3f} s  (target <= 0.5 s)")
    print(f"log+register, inferred requirements median {i:.3f} s  (baseline)")
    figure("model log+register, pinned requirements vs MLflow inferring them", p, i, None)
    figure(
        "platform log_trained_model (all of it) vs MLflow inferring requirements", full, i, None
    )


if __name__ == "__main__":
    main()
