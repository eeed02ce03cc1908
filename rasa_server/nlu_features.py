"""The intent classifier's input built from what it reads, and its weights laid out for it.

`LogisticRegressionClassifier._create_X` asks each message for its combined sparse features,
which combines the sequence features (one row per token, for every featurizer: a deep copy
and a sparse `hstack`) and the sentence features, then keeps only the sentence features.
A profile of one Rasa server answering one citizen at a time put `_create_X` at about 10% of
its CPU per message, most of it building the sequence matrix thrown away.

Here the sentence features of the featurizers are stacked with the dense sentence features
in one `hstack`, in the order Rasa combines them (the message's feature order, sparse then
dense): the same matrix, values and type. Training builds its matrix elsewhere
(`_create_training_matrix`), unchanged.

The classifier's scores are the sparse input times `coef_.T`. scikit-learn keeps `coef_` in
row order, so `coef_.T` is a strided view, and scipy's sparse product copies it into one
contiguous block on every call (`other.ravel()` in `_mul_multivector`): the whole weight
matrix (classes × 26,000 n-grams) copied per message, a quarter of the intent classifier's
time. Kept in column order, `coef_.T` is already contiguous and nothing is copied; the
weights and the arithmetic (the same products, summed in the same order) are unchanged.
"""

from __future__ import annotations

from typing import List

import numpy as np
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack


def _create_X(self: LogisticRegressionClassifier, messages: List[Message]) -> csr_matrix:
    rows = []
    for message in messages:
        _, sparse = message._filter_sparse_features(TEXT, [])
        _, dense = message._filter_dense_features(TEXT, [])
        # Rasa: hstack(sparse sentence features) (its dtype), then hstack with the dense ones
        # or, with none, an empty float matrix: the stacked type is the same either way.
        blocks = [csr_matrix(f.features) for f in sparse] or [csr_matrix([])]
        blocks += [csr_matrix(f.features) for f in dense] or [csr_matrix([])]
        rows.append(hstack(blocks))
    return vstack(rows)


_stock_process = LogisticRegressionClassifier.process


def process(self: LogisticRegressionClassifier, messages: List[Message]) -> List[Message]:
    weights = getattr(getattr(self, "clf", None), "coef_", None)
    if isinstance(weights, np.ndarray) and not weights.flags.f_contiguous:
        self.clf.coef_ = np.asfortranarray(weights)  # once per loaded model
    return _stock_process(self, messages)


def install() -> None:
    LogisticRegressionClassifier._create_X = _create_X
    LogisticRegressionClassifier.process = process
