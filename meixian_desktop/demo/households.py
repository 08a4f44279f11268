"""Demo households (户) with their members, 防返贫监测 and family visits (入户走访).

About sixteen households in each of the demo worker's villages: families with parents working
away and children and grandparents at home, empty-nest couples, 低保 and 特困 households,
防返贫监测户 with their risks and assistance measures, a child in hardship, and plain families.
Visits go back several months; the last one of each household is placed so that, on the day
the demo is made, some households are overdue, some due this week and the rest visited
recently (key groups monthly, others twice a year, as the settings say).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.core.households import add_months, parse_household, parse_visit
from meixian_desktop.core.validation import age_on, id_number_check_char
from meixian_desktop.demo.places import DEMO_VILLAGES, DEMO_WORKER, PLACES, DemoVillage
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store import villages
from meixian_desktop.store.households import save_household, save_visit
from meixian_desktop.store.session import Session

# The households of one village, by kind (16 in all); shuffled per village.
VILLAGE_MIX = (("plain", 4), ("migrant", 3), ("empty_nest", 2), ("dibao", 2), ("tekun", 1),
               ("monitored", 3), ("child", 1))
OTHER_SURNAMES = "刘陈黄周吴李彭钟余杨"
GIVEN = {
    ("old", True): ("德元", "国华", "建军", "春生", "秋生", "满堂", "长根", "福生", "炳坤",
                    "冬生", "桂林", "正清"),
    ("old", False): ("桂兰", "满英", "秋菊", "春花", "冬梅", "菊香", "玉兰", "金莲", "细妹",
                     "淑珍", "爱莲"),
    ("mid", True): ("志强", "建平", "卫东", "小军", "海波", "文斌", "勇", "伟", "刚", "红兵",
                    "立新", "铁军"),
    ("mid", False): ("丽", "娟", "小燕", "红霞", "春梅", "艳", "芳", "丽华", "秀英", "美玲"),
    ("young", True): ("浩然", "子轩", "宇航", "俊杰", "博文", "思远", "嘉豪", "一鸣", "子豪",
                      "梓睿"),
    ("young", False): ("欣怡", "雨萱", "诗涵", "梓琪", "思雨", "佳怡", "可馨", "语桐", "若曦"),
}
MOBILE_PREFIXES = ("139", "138", "137", "135", "150", "151", "152", "158", "159", "182", "187",
                   "188", "198", "133", "153", "177", "189", "130", "131", "155", "186")
DISABILITIES = (("肢体残疾", "二级"), ("肢体残疾", "三级"), ("视力残疾", "二级"),
                ("听力残疾", "四级"), ("智力残疾", "二级"), ("精神残疾", "三级"))
WORK_PLACES = ("广东东莞", "广东深圳", "浙江义乌", "长沙", "福建晋江", "广东佛山")


@dataclass(frozen=True)
class Need:
    """A need found on a visit: its categories, what was said, done, and maybe referred."""

    codes: tuple[str, ...]
    detail: str
    done: str
    referral: tuple[str, str, int] | None = None  # department, item, days to the deadline


NEEDS = {
    "illness": Need(("health",), "老人长期吃降压药，想办理门诊慢特病，减轻吃药负担",
                    "讲解了门诊慢特病办理流程，收集了病历和检查单",
                    ("镇医保服务站", "协助办理门诊慢特病认定", 15)),
    "serious": Need(("health", "income"), "住院自付费用较多，家里有些困难，询问能否申请医疗救助",
                    "讲解了大病保险和医疗救助政策，帮助整理住院发票",
                    ("镇民政办", "核实申请医疗救助和临时救助", 15)),
    "leak": Need(("housing",), "厨房屋顶瓦片松动，下雨时漏雨，希望帮助检修",
                 "拍照登记了漏雨位置，提醒雨天不在厨房久留", ("村委会", "组织人员检修屋顶", 10)),
    "crack": Need(("housing", "safety"), "老屋后墙有裂缝，担心汛期不安全",
                  "查看了裂缝情况，叮嘱汛期暴雨时到邻居家暂住",
                  ("镇规划建设环保站", "组织农村住房安全鉴定", 20)),
    "water": Need(("water",), "旱季山泉水不够用，希望接通自来水",
                  "登记了引水管和水源位置", ("镇水利站", "核实接通集中供水管网", 30)),
    "job": Need(("employment",), "儿子想在附近找份工作，方便照顾老人和孩子",
                "推荐了县工业园和镇帮扶车间的招工信息", ("镇人社服务中心", "推荐就近就业岗位", 20)),
    "school": Need(("schooling",), "孩子上高中费用较高，询问有没有助学政策",
                   "讲解了国家助学金和雨露计划政策", ("梅仙镇中学", "核实落实国家助学金", 20)),
    "relief": Need(("income",), "家庭收入下降，询问能否申请临时救助",
                   "核实了家庭收入和支出情况", ("镇民政办", "核实申请临时救助", 15)),
    "care": Need(("care",), "老人独居时间多，希望有人定期上门看看",
                 "安排同组党员结对，每周上门看望一次"),
    "phone": Need(("other",), "老人不会用智能手机做养老资格认证",
                  "当场帮老人完成了养老保险待遇资格认证"),
    "road": Need(("safety",), "门口小路靠水塘一侧没有护栏，晚上出行不安全",
                 "提醒家人晚上出门带手电", ("村委会", "在塘边加装护栏", 30)),
    "subsidy": Need(("income", "care"), "询问残疾人两项补贴怎么申请",
                    "收集了残疾证和身份证复印件", ("镇残联", "办理残疾人两项补贴", 15)),
}
GENERAL_DONE = (
    "宣传了防返贫动态监测政策，留下了联系电话。",
    "核实了家庭人口、收入和住房情况，更新了台账。",
    "宣传了反诈知识，帮助安装国家反诈中心APP。",
    "提醒按时缴纳下一年度城乡居民医保。",
    "宣传了冬季用火用电安全，检查了厨房和电线。",
    "宣传了防溺水安全知识，叮嘱看管好孩子。",
)
SEASONAL_DONE = {3: 4, 4: 4, 5: 5, 6: 5, 7: 5, 8: 5, 9: 3, 10: 3, 11: 3, 12: 4, 1: 4, 2: 4}
HOUSING = {
    "safe": ("住房为砖混结构两层楼房，经排查安全稳固。", "住房为砖混结构平房，门窗完好，安全无隐患。"),
    "rebuilt": ("住房为2019年危房改造新建的平房，安全无隐患。",),
    "old": ("住房为土砖老屋，后墙有细小裂缝，已纳入农村住房安全排查。",
            "老屋屋顶瓦片有松动，雨季漏雨，已登记待检修。"),
}
WATER = {
    "piped": ("已接通集中供水，水质水量有保障。", "已接通自来水，家中用水正常。"),
    "well": ("饮用自家水井水，水质经检测合格。", "饮用山泉水引水，水量充足，水质良好。"),
    "dry": ("使用山泉水引水管，旱季水量偏少，已纳入饮水安全排查。",),
}
SCHOOLS = {"preschool": "村幼儿园", "primary": "梅仙镇中心小学", "junior": "梅仙镇中学",
           "senior": "平江县第一中学", "college": "湖南农业大学"}
GRADES = {"primary": "一二三四五六", "junior": "一二三", "senior": "一二三"}


@dataclass
class Plan:
    """One demo household while it is made: what is typed, and what visits will say."""

    raw: dict[str, Any]
    key: bool
    income: tuple[str, ...]
    health: tuple[str, ...]
    housing: str
    water: str
    needs: tuple[str, ...]
    cadres: tuple[str, ...] = ()  # the village's cadres, who visit with the worker
    at_home: list[str] = field(default_factory=list)  # who the visitor may meet
    schooling: str = ""


class Family:
    """Makes the members of one household: names, valid unique ID numbers, statuses."""

    def __init__(self, rng: random.Random, today: date, used: set[str], surname: str) -> None:
        self.rng, self.today, self.used, self.surname = rng, today, used, surname
        self.members: list[dict[str, Any]] = []
        self.names: set[str] = set()

    def name(self, generation: str, male: bool, surname: str | None = None) -> str:
        for _ in range(50):
            given = self.rng.choice(GIVEN[generation, male])
            name = (surname or self.surname) + given
            if name not in self.names:
                break
        self.names.add(name)
        return name

    def add(self, name: str, relation: str, age: int, male: bool, *, work: str = "",
            health: str = "healthy", tags: tuple[str, ...] = (), assistance: str = "",
            disability: tuple[str, str] | None = None, phone: bool = False,
            school: str | None = None) -> dict[str, Any]:
        rng = self.rng
        latest = add_months(self.today, -12 * age)
        while True:
            born = latest - timedelta(days=rng.randint(1, 360))
            sequence = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male
                                                            else (0, 2, 4, 6, 8))
            first17 = f"430626{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.used:
                self.used.add(number)
                break
        if school is None:
            school = _school(age)
        member: dict[str, Any] = {
            "name": name, "id_number": number, "relation": relation, "ethnicity": "汉族",
            "education": _education(age, school, rng), "school_status": school,
            "health": "disabled" if disability else health,
            "work_status": work or _work(age, school), "assistance_status": assistance,
            "insurance": _insurance(age, school), "tags": list(tags),
        }
        if disability:
            member["disability_category"], member["disability_grade"] = disability
            if "disabled" not in tags:
                member["tags"].append("disabled")
        if phone:
            member["phone"] = mobile(rng)
        self.members.append(member)
        return member


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _school(age: int) -> str:
    if age < 3:
        return "not_applicable"
    for limit, status in ((6, "preschool"), (12, "primary"), (15, "junior"), (18, "senior")):
        if age < limit:
            return status
    return "not_applicable"


def _education(age: int, school: str, rng: random.Random) -> str:
    if age < 6:
        return "preschool"
    if school in ("primary", "junior", "senior", "college"):  # a pupil: the level being read
        return school
    if age >= 70:
        return rng.choice(("none", "primary", "primary"))
    if age >= 50:
        return rng.choice(("primary", "junior", "junior"))
    return rng.choice(("junior", "junior", "senior", "college"))


def _work(age: int, school: str) -> str:
    if school != "not_applicable":
        return "student"
    if age < 6:
        return ""
    return "unable" if age >= 78 else "farming"


def _insurance(age: int, school: str) -> str:
    if age >= 60:
        return "城乡居民医保、领取城乡居民养老金"
    if age >= 18 and school == "not_applicable":
        return "城乡居民医保、城乡居民养老保险"
    return "城乡居民医保"


def _grade(member: dict[str, Any], today: date) -> str:
    """What a pupil is reading, from the age in the ID number: 四年级, 初二, 高一."""
    born = date(int(member["id_number"][6:10]), int(member["id_number"][10:12]),
                int(member["id_number"][12:14]))
    age = age_on(born, today)
    school = member["school_status"]
    if school == "primary":
        return f"{GRADES['primary'][min(max(age - 6, 0), 5)]}年级"
    if school == "junior":
        return f"初{GRADES['junior'][min(max(age - 12, 0), 2)]}"
    if school == "senior":
        return f"高{GRADES['senior'][min(max(age - 15, 0), 2)]}"
    if school == "college":
        return f"大{'一二三四'[min(max(age - 18, 0), 3)]}"
    return "中班"


def _schooling(members: list[dict[str, Any]], today: date, rng: random.Random) -> str:
    pupils = [m for m in members if m["school_status"] not in ("not_applicable", "")]
    notes = []
    for pupil in pupils:
        school = SCHOOLS[pupil["school_status"]]
        extra = {"primary": rng.choice(("，成绩中等", "，已享受营养改善计划", "，学习认真")),
                 "junior": rng.choice(("，住校", "，住校，每周回家一次", "，成绩中上")),
                 "senior": rng.choice(("，享受国家助学金", "，住校")),
                 "college": "，已办理生源地助学贷款"}.get(pupil["school_status"], "")
        notes.append(f"{pupil['name']}在{school}读{_grade(pupil, today)}{extra}")
    return "；".join(notes) + ("。" if notes else "")


# -- the kinds of household ----------------------------------------------------------------


def _age(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high)


def _plain(f: Family, village: DemoVillage) -> dict[str, Any]:
    rng = f.rng
    head_age = _age(rng, 36, 58)
    f.add(f.name("mid", True), "head", head_age, True, phone=True,
          work=rng.choice(("local_work", "farming", "local_work")))
    f.add(f.name("mid", False, rng.choice(OTHER_SURNAMES)), "spouse", head_age - rng.randint(0, 4),
          False, work=rng.choice(("local_work", "farming")), phone=rng.random() < 0.5)
    for _ in range(rng.randint(1, 2)):
        age = rng.randint(3, 17) if head_age < 45 else rng.randint(12, 26)
        male = rng.random() < 0.55
        school = "college" if 18 <= age <= 21 and rng.random() < 0.5 else None
        work = "away_work" if age >= 18 and school is None else ""
        f.add(f.name("young", male), "son" if male else "daughter", age, male, school=school,
              work=work, phone=age >= 18)
    if rng.random() < 0.4:
        f.add(f.name("old", False, rng.choice(OTHER_SURNAMES)), "mother", head_age + 26, False,
              health=rng.choice(("healthy", "chronic")))
    return {"notes": rng.choice(("家庭情况稳定，无特殊困难。", "一家人在本地务工务农，收入稳定。",
                                 "户主在镇上做泥工，妻子在家种田。"))}


def _migrant(f: Family, village: DemoVillage) -> dict[str, Any]:
    rng = f.rng
    grandpa = _age(rng, 62, 76)
    f.add(f.name("old", True), "head", grandpa, True, health=rng.choice(("healthy", "chronic")),
          tags=("left_behind_elderly",), phone=rng.random() < 0.5)
    f.add(f.name("old", False, rng.choice(OTHER_SURNAMES)), "spouse", grandpa - rng.randint(0, 4),
          False, health=rng.choice(("healthy", "chronic", "chronic")),
          tags=("left_behind_elderly",))
    son = grandpa - rng.randint(26, 32)
    f.add(f.name("mid", True), "son", son, True, work="away_work", phone=True)
    f.add(f.name("mid", False, rng.choice(OTHER_SURNAMES)), "daughter_in_law",
          son - rng.randint(0, 4), False, work="away_work", phone=True)
    for _ in range(rng.randint(1, 2)):
        male = rng.random() < 0.55
        f.add(f.name("young", male), "grandson" if male else "granddaughter",
              rng.randint(4, min(14, son - 20)), male, tags=("left_behind_child",))
    place = rng.choice(WORK_PLACES)
    return {"notes": f"儿子儿媳在{place}务工，每年春节回家，孩子由爷爷奶奶照看。"}


def _empty_nest(f: Family, village: DemoVillage) -> dict[str, Any]:
    rng = f.rng
    age = _age(rng, 68, 84)
    f.add(f.name("old", True), "head", age, True, health="chronic", tags=("empty_nest",))
    f.add(f.name("old", False, rng.choice(OTHER_SURNAMES)), "spouse", age - rng.randint(0, 5),
          False, health=rng.choice(("chronic", "healthy")), tags=("empty_nest",))
    city = rng.choice(("长沙", "岳阳", "平江县城", "广州"))
    return {"notes": f"子女均在{city}成家，老两口在家，子女每月寄生活费。"}


def _dibao(f: Family, village: DemoVillage) -> dict[str, Any]:
    rng = f.rng
    age = _age(rng, 44, 60)
    disability = rng.choice(DISABILITIES)
    f.add(f.name("mid", True), "head", age, True, disability=disability, work="unable",
          assistance="dibao", phone=True)
    f.add(f.name("mid", False, rng.choice(OTHER_SURNAMES)), "spouse", age - rng.randint(0, 5),
          False, work=rng.choice(("local_work", "farming")), assistance="dibao")
    for _ in range(rng.randint(1, 2)):
        male = rng.random() < 0.5
        f.add(f.name("young", male), "son" if male else "daughter", rng.randint(8, 17), male,
              assistance="dibao")
    return {"tags": ["dibao"],
            "notes": f"户主{disability[0]}{disability[1]}，不能从事重体力劳动，家庭纳入农村低保。"}


def _tekun(f: Family, village: DemoVillage) -> dict[str, Any]:
    rng = f.rng
    age = _age(rng, 66, 80)
    f.add(f.name("old", True), "head", age, True, health="chronic", assistance="tekun",
          work="unable" if age >= 75 else "farming")
    f.add(f.name("old", True), "sibling", age - rng.randint(2, 6), True,
          disability=("智力残疾", "二级"), assistance="tekun", work="unable")
    return {"tags": ["tekun"], "notes": "兄弟俩均未婚，无法定赡养人，分散供养，由村里落实照料。"}


MONITORED = (
    # story, monitoring type, risk types, measures: (type, content, unit)
    ("serious", "sudden", ("illness",), (
        ("health", "落实大病保险和医疗救助，住院费用“一站式”结算", "县医疗保障局"),
        ("social", "纳入农村低保，按月发放保障金", "县民政局"),
        ("employment", "安排妻子到村公益性岗位从事保洁", "镇人社服务中心"))),
    ("schooling", "unstable", ("schooling", "labour"), (
        ("education", "落实雨露计划职业教育补助，每学期1500元", "县乡村振兴局"),
        ("employment", "推荐户主到县工业园务工，发放一次性交通补贴", "县人社局"))),
    ("disaster", "sudden", ("disaster", "housing"), (
        ("housing", "房屋因暴雨受损，实施危房改造，补助3.5万元", "县住建局"),
        ("social", "发放临时救助金3000元", "镇民政办"),
        ("industry", "扶持发展油茶种植，发放产业奖补2000元", "镇农业综合服务中心"))),
    ("employment", "marginal", ("employment",), (
        ("employment", "组织参加电工技能培训，推荐就近就业", "县人社局"),
        ("finance", "发放脱贫人口小额信贷5万元，财政贴息", "县农商银行"),
        ("industry", "扶持养殖黄牛5头，发放产业奖补", "镇农业综合服务中心"))),
    ("water", "marginal", ("water", "labour"), (
        ("water", "新建引水管和蓄水池，解决季节性缺水", "县水利局"),
        ("industry", "扶持种植黄桃3亩，提供技术指导", "镇农业综合服务中心"))),
    ("accident", "unstable", ("accident", "disability"), (
        ("health", "协助办理残疾人证和两项补贴", "县残联"),
        ("social", "纳入农村低保", "县民政局"),
        ("other", "购买防返贫保险", "镇农业综合服务中心"))),
)


def _monitored(f: Family, village: DemoVillage, story: tuple[Any, ...]) -> dict[str, Any]:
    rng, today = f.rng, f.today
    name, monitoring, risks, measures = story
    age = _age(rng, 40, 56)
    head_health = {"serious": "serious", "accident": "healthy"}.get(name, "healthy")
    disability = rng.choice(DISABILITIES[:3]) if name == "accident" else None
    f.add(f.name("mid", True), "head", age, True, health=head_health, disability=disability,
          work="unable" if name in ("serious", "accident") else "local_work", phone=True)
    f.add(f.name("mid", False, rng.choice(OTHER_SURNAMES)), "spouse", age - rng.randint(0, 4),
          False, work="local_work" if name == "serious" else rng.choice(("farming", "away_work")),
          phone=True)
    children = 2 if name == "schooling" else rng.randint(1, 2)
    for number in range(children):
        male = rng.random() < 0.5
        child_age = 19 if name == "schooling" and number == 0 else rng.randint(7, 17)
        school = "college" if child_age >= 18 else None
        f.add(f.name("young", male), "son" if male else "daughter", child_age, male,
              school=school)
    if rng.random() < 0.5:
        f.add(f.name("old", False, rng.choice(OTHER_SURNAMES)), "mother", age + 27, False,
              health="chronic")
    included = today - timedelta(days=rng.randint(200, 800))
    typed_measures = []
    for kind, content, unit in measures:
        start = included + timedelta(days=rng.randint(7, 60))
        typed_measures.append({"measure_type": kind, "content": content, "unit": unit,
                               "start_date": start.isoformat(),
                               "end_date": add_months(start, 12).isoformat()})
    raw: dict[str, Any] = {
        "tags": ["monitored"], "monitoring_type": monitoring,
        "monitoring_included_on": included.isoformat(), "risk_types": list(risks),
        "income_per_capita": float(rng.randint(62, 98) * 100), "income_year": today.year - 1,
        "measures": typed_measures,
        "notes": {"serious": "户主患尿毒症，每周在县人民医院透析两次，医疗支出大。",
                  "schooling": "两个孩子同时上学，教育支出大，家里劳动力不足。",
                  "disaster": "去年汛期暴雨，房屋后墙倒塌，损失较大。",
                  "employment": "户主原在外务工，工厂停产后失业返乡，收入不稳定。",
                  "water": "住在山坳里，旱季缺水，主要劳动力年龄偏大。",
                  "accident": "户主务工时从脚手架摔下致残，失去主要劳动能力。"}[name],
    }
    if name in ("serious", "accident"):
        raw["tags"].append("dibao")
    if (today - included).days > 500 and rng.random() < 0.5:
        raw["risk_eliminated"] = True
        raw["risk_eliminated_on"] = (included + timedelta(days=rng.randint(365, 450))).isoformat()
    return raw


def _child(f: Family, village: DemoVillage) -> dict[str, Any]:
    rng = f.rng
    age = _age(rng, 64, 74)
    f.add(f.name("old", True), "head", age, True, health="chronic", tags=("left_behind_elderly",),
          phone=True)
    f.add(f.name("old", False, rng.choice(OTHER_SURNAMES)), "spouse", age - rng.randint(0, 4),
          False, health="chronic", tags=("left_behind_elderly",))
    kind = rng.choice(("child_unsupported", "child_family", "child_self"))
    male = rng.random() < 0.5
    disability = ("肢体残疾", "三级") if kind == "child_self" else None
    f.add(f.name("young", male), "grandson" if male else "granddaughter", rng.randint(7, 14),
          male, tags=(kind,), disability=disability)
    return {"notes": {
        "child_unsupported": "孩子父亲因病去世，母亲改嫁后失联，孩子由爷爷奶奶抚养。",
        "child_family": "孩子父母均患重病，无力照料，孩子由爷爷奶奶照看。",
        "child_self": "孩子患先天性脑瘫，肢体行动不便，由爷爷奶奶照看。"}[kind]}


INCOME = {
    "plain": ("家庭收入主要靠户主在镇上做泥工，月收入约{n}元，妻子在家种{m}亩水稻。",
              "夫妻俩在梅仙镇工业园上班，月收入合计约{n}元，收入稳定。",
              "种了{m}亩油茶和水稻，农闲时在附近打零工，收入稳定。"),
    "migrant": ("儿子儿媳在外务工，每月往家里寄{n}元，老人种了{m}亩水稻和一块菜地。",
                "子女务工收入稳定，老人每月领取养老金{p}元。"),
    "empty_nest": ("两位老人每月各领取城乡居民养老金{p}元，子女每月给生活费约{n}元。",
                   "老人在家种菜养鸡，基本自给自足，子女定期寄钱回家。"),
    "dibao": ("家庭收入主要靠低保金和妻子打零工，每月低保金{d}元，按时足额发放。",
              "妻子在镇上餐馆帮工，月收入约{n}元，加上低保金，基本生活有保障。"),
    "tekun": ("兄弟俩每人每月领取特困供养金{t}元，按时到账。",
              "特困供养金和高龄津贴按时发放，基本生活有保障。"),
    "monitored": ("去年家庭人均纯收入约{i}元，今年收入比去年有所增加。",
                  "妻子在村公益性岗位上班，每月{g}元，家庭收入基本稳定。",
                  "帮扶措施已落实，家庭收入较上次走访无明显下降。"),
    "child": ("孩子跟随爷爷奶奶生活，靠种田和养老金维持生活，收入较低。",
              "每月领取困境儿童基本生活补贴{c}元，按时到账。"),
}
HEALTH_NOTES = {
    "plain": ("全家身体健康。", "家庭成员身体状况良好。"),
    "migrant": ("老人患高血压，按时服药，已签约家庭医生。", "孩子身体健康，老人有风湿，行动稍慢。"),
    "empty_nest": ("老人患高血压和糖尿病，按时服药，已签约家庭医生。",
                   "奶奶有风湿性关节炎，行动不太方便，已办理门诊慢特病。"),
    "dibao": ("户主残疾，生活基本能自理，已领取残疾人两项补贴。", "户主残疾，近期身体状况稳定。"),
    "tekun": ("弟弟智力残疾，生活需要照顾，哥哥身体尚可。", "兄弟俩身体状况稳定，按时服药。"),
    "monitored": ("户主病情稳定，定期复查，医保报销已落实。", "家庭成员身体状况较上次走访无变化。"),
    "child": ("孩子身体状况良好，爷爷奶奶患慢性病，按时服药。",
              "孩子近期身体稳定，已落实康复救助。"),
}
KIND_NEEDS = {
    "plain": ("job", "road", "water"),
    "migrant": ("phone", "illness", "road", "job"),
    "empty_nest": ("illness", "care", "phone", "leak"),
    "dibao": ("subsidy", "relief", "school"),
    "tekun": ("care", "leak", "illness"),
    "monitored": ("serious", "school", "job", "crack", "water", "relief"),
    "child": ("school", "relief", "care"),
}


def _plan(kind: str, village: DemoVillage, village_id: str, group: tuple[str, str, int] | None,
          door: int, today: date, rng: random.Random, used: set[str], heads: set[str],
          story: tuple[Any, ...] | None) -> Plan:
    while True:
        family = Family(rng, today, used, rng.choice(village.surnames))
        extra = _monitored(family, village, story) if story else {
            "plain": _plain, "migrant": _migrant, "empty_nest": _empty_nest, "dibao": _dibao,
            "tekun": _tekun, "child": _child}[kind](family, village)
        head = family.members[0]
        if head["name"] not in heads:
            break
        for member in family.members:  # the same head name twice in a village: redraw
            used.discard(member["id_number"])
    heads.add(head["name"])
    group_id, group_name, group_number = group if group else ("", "", 0)
    phones = [m["phone"] for m in family.members if m.get("phone")]
    phone = phones[0] if phones else f"0730-52{rng.randrange(10**5):05d}"
    key = bool(extra.get("tags")) or any(m["tags"] for m in family.members)
    cadres = (village.secretary, *village.cadres)
    cadre = rng.choice((DEMO_WORKER, DEMO_WORKER, *cadres)) if key else rng.choice(cadres)
    raw = {
        "village_id": village_id, "group_id": group_id,
        "number": f"{village.code[-3:]}-{group_number:02d}-{door:03d}",
        "address": f"{village.name}{group_name}{door}号", "head_name": head["name"],
        "phone": phone, "cadre": cadre, "members": family.members, **extra,
    }
    old = "old" if kind in ("tekun", "empty_nest") and rng.random() < 0.5 else (
        "rebuilt" if kind in ("dibao", "monitored") and rng.random() < 0.4 else "safe")
    water = rng.choices(("piped", "well", "dry"), weights=(6, 3, 1))[0]
    at_home = [m["name"] for m in family.members
               if m["work_status"] != "away_work" and m["school_status"] in ("not_applicable", "")]
    return Plan(raw, key, INCOME[kind], HEALTH_NOTES[kind],
                old, water, KIND_NEEDS[kind], cadres, at_home or [head["name"]],
                _schooling(family.members, today, rng))


# -- visits --------------------------------------------------------------------------------


def _visit(plan: Plan, household_id: str, day: date, rng: random.Random, *,
           need: Need | None, planned: date | None = None, visit_type: str = "") -> dict[str, Any]:
    fill = {"n": rng.choice((1500, 2000, 2500, 3000, 4000, 5000, 6000)), "m": rng.randint(1, 4),
            "p": rng.choice((153, 168, 185, 203)), "d": rng.choice((380, 420, 460)),
            "t": rng.choice((725, 770)), "c": rng.choice((1000, 1200)),
            "g": rng.choice((800, 1000)),
            "i": int(plan.raw.get("income_per_capita") or 8000)}
    partner = plan.raw["cadre"] if plan.raw["cadre"] != DEMO_WORKER else rng.choice(plan.cadres)
    visitors = f"{DEMO_WORKER}、{partner}"
    met = rng.choice(plan.at_home)
    others = [name for name in plan.at_home if name != met and rng.random() < 0.5]
    done = [GENERAL_DONE[SEASONAL_DONE[day.month]] if rng.random() < 0.5 else
            rng.choice(GENERAL_DONE[:3])]
    typed: dict[str, Any] = {
        "household_id": household_id, "visit_date": day.isoformat(),
        "visit_time": f"{rng.randint(8, 16):02d}:{rng.choice((0, 10, 20, 30, 40, 50)):02d}",
        "visitors": visitors,
        "visit_type": visit_type or ("key_group" if plan.key else "routine"),
        "person_met": met, "others_present": "、".join(others),
        "income_note": rng.choice(plan.income).format(**fill),
        "health_note": rng.choice(plan.health),
        "housing_note": rng.choice(HOUSING[plan.housing]),
        "water_note": rng.choice(WATER[plan.water]), "schooling_note": plan.schooling,
        "satisfaction": rng.choice(("satisfied", "satisfied", "satisfied", "fair")),
    }
    if need is not None:
        typed["needs"] = list(need.codes)
        typed["needs_detail"] = need.detail
        done.insert(0, need.done + "。")
        if need.referral:
            department, item, days = need.referral
            deadline = day + timedelta(days=days)
            if planned is not None:  # the return visit is due just after the deadline
                deadline = max(day, min(deadline, planned - timedelta(days=3)))
            typed["referrals"] = [{"department": department, "item": item,
                                   "deadline": deadline.isoformat()}]
            typed["next_visit_date"] = (planned or deadline + timedelta(days=3)).isoformat()
    elif planned is not None:
        typed["next_visit_date"] = planned.isoformat()
    typed["done_on_spot"] = "".join(done)
    return typed


def _due_plan(key: bool, bucket: str, today: date, rng: random.Random, months: int
              ) -> tuple[date, date | None]:
    """The last visit's date, and a return visit it planned, for a household whose next
    visit should fall in ``bucket`` (overdue, week, later)."""
    offset = {"overdue": (-25, -2) if key else (-40, -3), "week": (0, 6),
              "later": (9, 26) if key else (10, 150)}[bucket]
    due_on = today + timedelta(days=rng.randint(*offset))
    if (due_on - today).days <= 20 and rng.random() < 0.25:  # a return visit after a referral
        return min(due_on - timedelta(days=rng.randint(12, 25)), today), due_on
    last = add_months(due_on, -months)
    return min(last, today - timedelta(days=1)), None


def _history(plan: Plan, household_id: str, bucket: str, today: date, rng: random.Random,
             months: int) -> list[dict[str, Any]]:
    """The household's visits, oldest first, the last one placed for ``bucket``."""
    if bucket == "new":
        return []
    last, planned = _due_plan(plan.key, bucket, today, rng, months)
    days = [last]
    for _ in range(rng.randint(3, 6) if plan.key else rng.randint(0, 1)):
        earlier = add_months(days[-1], -months) + timedelta(days=rng.randint(-5, 5))
        days.append(min(earlier, days[-1] - timedelta(days=7)))
    days.reverse()
    visits: list[dict[str, Any]] = []
    for number, day in enumerate(days):
        final = number == len(days) - 1
        need = None
        if final and planned is not None:
            with_referral = [n for n in plan.needs if NEEDS[n].referral]
            need = NEEDS[rng.choice(with_referral or list(NEEDS)[:1])]
        elif rng.random() < 0.35:
            need = NEEDS[rng.choice(plan.needs)]
        visit_type = "return" if number and visits[-1].get("referrals") else ""
        if not final and need and need.referral:
            need = need if rng.random() < 0.6 else None
        typed = _visit(plan, household_id, day, rng, need=need,
                       planned=planned if final else None, visit_type=visit_type)
        if final and planned is None:
            typed.pop("next_visit_date", None)  # due by the frequency rule
            typed.pop("referrals", None)
        visits.append(typed)
    return visits


def demo_households(session: Session, rng: random.Random, today: date | None = None) -> int:
    """About sixteen households in each of the demo worker's villages with their members and
    visits over the last months; nothing when households already exist. Returns the
    households made."""
    store = session.store
    if store.conn.execute("SELECT 1 FROM households WHERE deleted = 0 LIMIT 1").fetchone():
        return 0
    today = today or clock.today()
    months = {True: settings_store.get(store, "visit_months_key_group"),
              False: settings_store.get(store, "visit_months_other")}
    used: set[str] = set()
    plans: list[tuple[Plan, str]] = []
    stories = list(MONITORED)
    rng.shuffle(stories)
    for code in DEMO_VILLAGES:
        village = villages.village_by_code(store, code)
        if village is None:
            continue
        place = PLACES[code]
        groups = [(g.id, g.name, n) for n, g in enumerate(villages.list_groups(store, village.id),
                                                          start=1)]
        kinds = [kind for kind, count in VILLAGE_MIX for _ in range(count)]
        rng.shuffle(kinds)
        heads: set[str] = set()
        doors: set[tuple[int, int]] = set()
        for kind in kinds:
            group = rng.choice(groups) if groups else None
            door = rng.randint(1, 60)
            while (group[2] if group else 0, door) in doors:
                door = rng.randint(1, 60)
            doors.add((group[2] if group else 0, door))
            story = stories.pop() if kind == "monitored" and stories else (
                rng.choice(MONITORED) if kind == "monitored" else None)
            plans.append((_plan(kind, place, village.id, group, door, today, rng, used, heads,
                                story), kind))
    if not plans:
        return 0
    # Where each household's next visit falls: a few overdue, a few this week, the rest
    # visited recently enough, and one family that just moved in, never visited (due today).
    plain = [number for number, (_plan, kind) in enumerate(plans) if kind == "plain"]
    fresh = rng.choice(plain) if plain else None
    buckets = ["overdue"] * (len(plans) // 6) + ["week"] * (len(plans) // 6)
    buckets += ["later"] * (len(plans) - len(buckets) - (fresh is not None))
    rng.shuffle(buckets)
    if fresh is not None:
        buckets.insert(fresh, "new")
        plans[fresh][0].raw["notes"] = "今年新迁入本村，尚未入户走访。"
    with store.transaction() as tx:
        for (plan, _kind), bucket in zip(plans, buckets, strict=True):
            household_id = save_household(tx, parse_household(plan.raw, today=today))
            for typed in _history(plan, household_id, bucket, today, rng, months[plan.key]):
                save_visit(tx, parse_visit(typed, today=today))
    return len(plans)
