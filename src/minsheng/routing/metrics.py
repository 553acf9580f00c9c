"""Classification figures (kept free of scikit-learn so that they read plainly)."""


def confusion(gold: list[str], predicted: list[str], labels: list[str]) -> list[list[int]]:
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return matrix


def per_class(gold: list[str], predicted: list[str], labels: list[str]) -> dict[str, tuple[float, float, float, int]]:
    """label → (precision, recall, F1, support); 0 where undefined."""
    result = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        n_pred = sum(p == label for p in predicted)
        n_gold = sum(g == label for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = (precision, recall, f1, n_gold)
    return result
