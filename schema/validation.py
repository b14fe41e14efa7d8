"""Parse and validate one record's text: the single validation path."""

from __future__ import annotations

import tomllib
from typing import TypeVar

from pydantic import ValidationError

from schema.problems import Problem, RecordError, problem_from_toml, problems_from_validation
from schema.records import Record

R = TypeVar("R", bound=Record)


def parse(model: type[R], text: str, file: str) -> tuple[R | None, list[Problem]]:
    """Return the record and no problems, or None and every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return None, [problem_from_toml(file, e, text)]
    try:
        return model.model_validate(data), []
    except ValidationError as e:
        return None, problems_from_validation(file, text, e)


def parse_or_raise(model: type[R], text: str, file: str) -> R:
    record, problems = parse(model, text, file)
    if problems:
        raise RecordError(problems)
    assert record is not None
    return record


def check_value(model: type[R], data: dict, file: str = "") -> list[Problem]:
    """Validate a would-be record (from a form) without text; problems carry the key path."""
    try:
        model.model_validate(data)
        return []
    except ValidationError as e:
        return problems_from_validation(file, "", e)
