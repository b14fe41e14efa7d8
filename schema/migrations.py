"""Reading records an older shuping wrote: each step turns one version's data into the next's.

Pure functions over parsed TOML data, run by the record models before they validate, so
every old file stays readable; the store writes a record in the current form when it is
saved again. A step describes what that old version wrote, so it never changes later.
"""

from __future__ import annotations

from typing import Any, Callable

# version 1 keyed ``grading.weights`` by the inputs' Chinese labels
V1_WEIGHT_KEYS: dict[str, str] = {"述职情况": "report", "测评结果": "rating", "日常了解": "daily", "督查检查": "inspection"}


def campaign_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 keys the grading weights by component id (``report``…) instead of by label.

    A key that is not a version-1 label, or whose id is already there too, stays as it was
    for validation to name."""
    out = {**data, "schema_version": 2}
    grading = data.get("grading")
    if isinstance(grading, dict) and isinstance(grading.get("weights"), dict):
        weights = grading["weights"]
        renamed: dict[str, Any] = {}
        for key, value in weights.items():
            new = V1_WEIGHT_KEYS.get(key, key)
            renamed[key if new in weights or new in renamed else new] = value
        out["grading"] = {**grading, "weights": renamed}
    return out


CAMPAIGN_STEPS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: campaign_v1_to_v2}


def migrate(data: Any, steps: dict[int, Callable[[dict[str, Any]], dict[str, Any]]]) -> Any:
    """``data`` brought to the current version through ``steps`` (version → next version's data);
    data without a version, or at a version no step starts from, is returned as it is."""
    while isinstance(data, dict) and type(data.get("schema_version")) is int and data["schema_version"] in steps:
        data = steps[data["schema_version"]](data)
    return data
