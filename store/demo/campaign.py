"""Demo campaign settings: the reference indicators (附件1) and rater-group weights, set the
way staff set them on the 年度设置 screen."""

from __future__ import annotations

from schema.campaign_setup import describe_changes
from schema.indicators import reference_indicators
from schema.records import RaterGroup
from store.archive import Archive


def build(archive: Archive) -> None:
    stored = archive.campaign()
    old = stored.record
    scoring = old.scoring.model_copy(update={
        "trimmed_mean": True,
        "rater_groups": [RaterGroup(name="委员", weight=0.6), RaterGroup(name="其他参会人员", weight=0.4)],
    })
    new = old.model_copy(update={"indicators": reference_indicators(), "scoring": scoring})
    archive.save(stored, new, f"修改年度设置：{new.year}年度（{describe_changes(old, new)}）")
