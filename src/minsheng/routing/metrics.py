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


def reliability(confidences: list[float], correct: list[bool], bins: int = 10
                ) -> tuple[float, list[tuple[float, float, int, float, float]]]:
    """Expected calibration error and the reliability table of top-1 predictions.

    Confidences fall into ``bins`` equal-width bins over [0, 1] (the last one closed); each row is
    (low, high, n, mean confidence, accuracy), empty bins left out.  ECE = Σ n_b / N · |acc_b − conf_b|:
    0 when the stated probability is, bin by bin, how often the suggestion is right."""
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct differ in length")
    total = len(confidences)
    if not total:
        return 0.0, []
    sums = [[0, 0.0, 0] for _ in range(bins)]  # n, confidence sum, correct count
    for p, ok in zip(confidences, correct, strict=True):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"a probability outside [0, 1]: {p}")
        b = min(int(p * bins), bins - 1)
        sums[b][0] += 1
        sums[b][1] += p
        sums[b][2] += bool(ok)
    rows, ece = [], 0.0
    for b, (n, conf_sum, hits) in enumerate(sums):
        if not n:
            continue
        conf, acc = conf_sum / n, hits / n
        ece += n / total * abs(acc - conf)
        rows.append((b / bins, (b + 1) / bins, n, conf, acc))
    return ece, rows
