"""Pure ITA scoring: responses and checklists in, indicator scores, grades and statistics out.

This package never imports Flask or SQLAlchemy; it does not know where its data came from.
"""

from .agencies import (
    agencies_table,
    group_average,
    pool_item_means,
    pooled_item_means,
    rank_totals,
    score_agencies,
)
from .assess import (
    AssessmentResult,
    GroupResult,
    HeadcountError,
    IndicatorResult,
    InstrumentResult,
    ItemSummary,
    QuestionSummary,
    SubIndicatorResult,
    assess,
    minimum_sample,
)
from .responses import ResponseDataError, ScoredResponses, score_responses
from .rollup import (
    grade_of,
    indicators_from_items,
    item_means,
    oit_checklist_indicators,
    oit_indicators,
    oit_sub_indicator_scores,
    roll_up,
    round_half_up,
)
from .statistics import Summary, cronbach_alpha, margin_of_error, option_distribution, summarize
from .tiers import (
    FloorMiss,
    IndicatorWeight,
    InstrumentNeed,
    TierGap,
    floors_missed,
    indicator_weights,
    next_tier_gap,
)
from .trend import TrendRow, trend

__all__ = [
    "AssessmentResult",
    "FloorMiss",
    "GroupResult",
    "HeadcountError",
    "IndicatorResult",
    "IndicatorWeight",
    "InstrumentNeed",
    "InstrumentResult",
    "ItemSummary",
    "QuestionSummary",
    "ResponseDataError",
    "ScoredResponses",
    "SubIndicatorResult",
    "Summary",
    "TierGap",
    "TrendRow",
    "agencies_table",
    "assess",
    "cronbach_alpha",
    "floors_missed",
    "grade_of",
    "group_average",
    "indicator_weights",
    "indicators_from_items",
    "item_means",
    "margin_of_error",
    "minimum_sample",
    "next_tier_gap",
    "oit_checklist_indicators",
    "oit_indicators",
    "oit_sub_indicator_scores",
    "option_distribution",
    "pool_item_means",
    "pooled_item_means",
    "rank_totals",
    "roll_up",
    "round_half_up",
    "score_agencies",
    "score_responses",
    "summarize",
    "trend",
]
