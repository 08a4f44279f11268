"""The demo worker and her villages: cadres, forest blocks, river reaches, field blocks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time

from meixian_desktop.store import villages
from meixian_desktop.store.session import Session

DEMO_WORKER = "李梅"
DEMO_VILLAGES = ("430626108210", "430626108208", "430626108214")  # 张韩村, 三里村, 石塘村
GROUP_NAMES = ("第一组", "第二组", "第三组", "第四组", "第五组", "第六组", "第七组", "第八组",
               "第九组", "第十组", "第十一组", "第十二组")


def demo_groups(session: Session, rng: random.Random) -> int:
    """村民小组 for every village that has none yet."""
    added = 0
    with session.store.transaction() as tx:
        for village in villages.list_villages(session.store):
            if villages.list_groups(session.store, village.id, include_retired=True):
                continue
            for name in GROUP_NAMES[: rng.randint(6, len(GROUP_NAMES))]:
                villages.add_group(tx, village.id, name)
                added += 1
    return added


# -- the demo worker's villages: cadres, forest blocks, river reaches, field blocks ------------


@dataclass(frozen=True)
class Block:
    """A forest block, river reach or field block, with its route and spots along it."""

    area: str
    start: str
    end: str
    spots: tuple[str, ...]
    river: str = ""  # river name, for a reach
    plot: str = ""  # 图斑号, for a field block
    town_level: bool = False  # a reach of the main river patrolled with the town's river chief


@dataclass(frozen=True)
class DemoVillage:
    code: str
    name: str
    secretary: str  # leads some patrols himself
    cadres: tuple[str, ...]  # companions
    surnames: str  # common surnames, for the persons involved in findings
    center: tuple[float, float]  # lat, lon of the village (WGS-84)
    forests: tuple[Block, ...]
    rivers: tuple[Block, ...]
    fields: tuple[Block, ...]


PLACES = {
    "430626108210": DemoVillage(
        code="430626108210", name="张韩村", secretary="张建国",
        cadres=("韩志明", "张德胜", "韩秋莲", "张卫红"), surnames="张韩李",
        center=(28.7412, 113.4728),
        forests=(
            Block("张韩村后山林区", "张韩村村部", "后山防火瞭望台",
                  ("后山防火通道2号弯道", "瞭望台东侧山坳", "张家祖山坟山片", "林区与油茶基地交界处")),
            Block("张韩村大岭坡松林", "大岭坡组道路口", "大岭坡山顶",
                  ("大岭坡马尾松林下方", "大岭坡高压线走廊下", "大岭坡水塘上方")),
        ),
        rivers=(
            Block("汨罗江梅仙段张韩村河段", "张韩渡口", "李家湾排灌站",
                  ("张韩渡口下游约300米", "李家湾河滩", "排灌站进水口", "张韩渡口码头"),
                  river="汨罗江", town_level=True),
            Block("张韩溪", "茶园坳水库出口", "张韩溪入江口",
                  ("张韩溪石拱桥下", "第四组洗衣码头", "张韩溪入江口")),
        ),
        fields=(
            Block("张韩村第三组大垅田", "大垅田机耕道口", "第三组晒谷坪",
                  ("大垅田东头", "大垅田机耕道旁", "第三组水渠边"), plot="2024-0317"),
            Block("张韩村沙洲垅", "沙洲垅路口", "沙洲垅河堤",
                  ("沙洲垅靠河堤一侧", "沙洲垅中段"), plot="2023-1126"),
        ),
    ),
    "430626108208": DemoVillage(
        code="430626108208", name="三里村", secretary="周建军",
        cadres=("李文华", "吴国平", "周桂英", "吴志强"), surnames="周吴李",
        center=(28.7236, 113.4987),
        forests=(
            Block("三里村狮子岭林区", "三里村村部", "狮子岭防火隔离带",
                  ("狮子岭半山腰坟山", "狮子岭防火隔离带入口", "狮子岭北坡杉木林")),
            Block("三里村杉树坡", "杉树坡组口", "杉树坡山脊",
                  ("杉树坡林边菜地", "杉树坡山脊小路")),
        ),
        rivers=(
            Block("三里港", "三里桥", "三里港入汨罗江口",
                  ("三里桥下游约100米", "三里港拦水坝", "三里港入江口", "第六组河湾")),
            Block("汨罗江梅仙段三里村河段", "三里大桥", "沙洲尾",
                  ("三里大桥桥墩下", "沙洲尾河滩", "三里村老码头"),
                  river="汨罗江", town_level=True),
        ),
        fields=(
            Block("三里村港边垅", "港边垅机耕桥", "三里港堤脚",
                  ("港边垅北头", "港边垅靠公路一侧"), plot="2024-0562"),
            Block("三里村高丘垅", "高丘垅组道口", "高丘垅山脚",
                  ("高丘垅上段", "高丘垅山塘边"), plot="2023-0948"),
        ),
    ),
    "430626108214": DemoVillage(
        code="430626108214", name="石塘村", secretary="石爱民",
        cadres=("唐桂香", "黄春生", "石勇", "唐国庆"), surnames="石唐黄",
        center=(28.7589, 113.4431),
        forests=(
            Block("石塘村杉木林", "石塘村组级公路口", "杉木林防火隔离带",
                  ("杉木林防火隔离带西段", "杉木林下老屋场", "杉木林与竹林交界处")),
            Block("石塘村龙王山林区", "龙王山脚水库", "龙王山防火瞭望哨",
                  ("龙王山登山步道入口", "龙王山半山凉亭", "瞭望哨南侧坟山")),
        ),
        rivers=(
            Block("石塘港", "石塘水库溢洪道", "石塘桥",
                  ("石塘水库溢洪道下方", "石塘桥上游约200米", "第二组河堤")),
        ),
        fields=(
            Block("石塘村塘下垅", "塘下垅机耕道口", "塘下垅水渠尾",
                  ("塘下垅东侧", "塘下垅水渠边"), plot="2024-0089"),
            Block("石塘村老屋场垅", "老屋场组道口", "老屋场垅山边",
                  ("老屋场垅入口", "老屋场垅中部"), plot="2022-1473"),
        ),
    ),
}


def at(day: date, minutes: int) -> datetime:
    """A local, offset-aware moment on ``day``, ``minutes`` after midnight."""
    return datetime.combine(day, time(minutes // 60, minutes % 60)).astimezone()
