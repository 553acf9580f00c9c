"""A resident's two revisit answers for demo and benchmark histories.

The two questions are not the same question: a resident may be satisfied with how a unit dealt
with a problem that is only partly solved, or dissatisfied with a solved one (the attitude, the
delay), so the answers are drawn together with that spread and 满意率 can exceed 解决率, as in
成都's published figures.
"""

import random

SATISFACTION_WEIGHTS = {"satisfied": 80, "basically_satisfied": 13, "dissatisfied": 7}
# 是否解决 given 满意度.
SOLVED_GIVEN = {
    "satisfied": {"solved": 93, "partly_solved": 6, "unsolved": 1},
    "basically_satisfied": {"solved": 70, "partly_solved": 25, "unsolved": 5},
    "dissatisfied": {"solved": 15, "partly_solved": 25, "unsolved": 60},
}


def solved_for(satisfaction: str, rng: random.Random) -> str:
    weights = SOLVED_GIVEN[satisfaction]
    return rng.choices(list(weights), list(weights.values()))[0]


def revisit_answers(rng: random.Random, weights: dict[str, int] | None = None) -> dict[str, str]:
    """``satisfaction`` and ``solved`` keyword arguments for a revisit."""
    weights = weights or SATISFACTION_WEIGHTS
    satisfaction = rng.choices(list(weights), list(weights.values()))[0]
    return {"satisfaction": satisfaction, "solved": solved_for(satisfaction, rng)}
