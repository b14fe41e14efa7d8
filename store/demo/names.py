"""Fictional people: surnames and given names combined at random (seeded)."""

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "晓明华立新文静敏俊杰丽娜伟强磊洋勇军燕霞平刚桂英秀兰玉梅海波宇航子涵欣怡思远浩然佳琪雨晨一鸣嘉怡梓萱博文志远春雷秋菊冬梅晓东建国建华红霞丽华振宇天翔诗琪梦瑶若曦"


def person(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given
