"""Versioned ITA instrument definitions (data files) and their validating loader."""

from .loader import (
    DEFINITIONS_DIR,
    DefinitionError,
    available_instrument_sets,
    load_instrument_set,
    parse_instrument_set,
)
from .model import (
    INSTRUMENTS,
    SURVEY_INSTRUMENTS,
    Indicator,
    InstrumentSet,
    Item,
    OitItem,
    Question,
    Scale,
)

__all__ = [
    "DEFINITIONS_DIR",
    "INSTRUMENTS",
    "SURVEY_INSTRUMENTS",
    "DefinitionError",
    "Indicator",
    "InstrumentSet",
    "Item",
    "OitItem",
    "Question",
    "Scale",
    "available_instrument_sets",
    "load_instrument_set",
    "parse_instrument_set",
]
