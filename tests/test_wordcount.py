import pytest

from schema.wordcount import word_count


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", 0),
        ("党支部书记述职", 7),
        ("全年召开支部党员大会6次。", 13),
        ("COVID-19 疫情防控", 5),
        ("hello world", 2),
        ("完成率76%", 4),
        ("“三会一课”", 6),
        ("学习贯彻《中国共产党支部工作条例（试行）》", 21),
        ("第一，\n第二，  第三。", 9),
        ("使用“党费云”APP按月收缴", 12),
        ("3.5 万元", 3),
    ],
)
def test_word_count_matches_word(text, expected):
    assert word_count(text) == expected
