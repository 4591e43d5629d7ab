"""The promotion rule, as a pure function: gate first, then strictly better than the margin."""

import dataclasses

import pytest

from mlplatform.lifecycle.promotion import decide
from mlplatform.spec import QualityGate

AUC = QualityGate("roc_auc", 0.7)
MAE = QualityGate("mae", 10.0, higher_is_better=False)


@pytest.mark.parametrize(
    ("gate", "margin", "challenger", "champion", "promoted", "reason_part"),
    [
        (AUC, 0.0, 0.80, None, True, "no champion yet"),
        (AUC, 0.0, 0.65, None, False, "fails gate roc_auc >= 0.7"),
        (AUC, 0.0, 0.81, 0.80, True, "beats champion"),
        (AUC, 0.0, 0.80, 0.80, False, "champion kept"),  # tie: the incumbent stays
        (AUC, 0.0, 0.79, 0.80, False, "improvement -0.0100"),
        (AUC, 0.01, 0.805, 0.80, False, "not above margin 0.01"),
        (AUC, 0.01, 0.82, 0.80, True, "> margin 0.01"),
        (AUC, 0.0, 0.69, 0.60, False, "fails gate"),  # better, but below the gate
        (MAE, 0.0, 8.0, 9.0, True, "beats champion"),
        (MAE, 0.5, 8.8, 9.0, False, "champion kept"),
        (MAE, 0.0, 11.0, None, False, "fails gate mae <= 10.0"),
    ],
)
def test_decide(gate, margin, challenger, champion, promoted, reason_part) -> None:
    decision, reason = decide(
        dataclasses.replace(gate, promotion_margin=margin), challenger, champion
    )
    assert decision is promoted
    assert reason_part in reason
