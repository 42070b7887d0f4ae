"""The demo's current edition of 粤治 (open for submissions), its demo cases and the demo
accounts. Nothing here is a real call: every title says "(演示)" and every case says where its
text comes from (adapted from the seeds' published descriptions)."""

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 — a documented demo password, printed by build_demo

PROGRAMME_SLUG = "yuezhi"

WEEKS_OPEN_BEFORE = 2
WEEKS_UNTIL_DEADLINE = 6
OPENS_AT = (9, 0)
CLOSES_AT = (17, 30)

EDITION = {
    "slug": "2026-demo",
    "title": "2026年度(演示)",
    "number": None,
    "period_label": "2026年度",
    "year": 2026,
    "call_text": (
        "为总结推广广东各地、各部门推进治理体系和治理能力现代化的创新经验,现面向全省党政机关、"
        "企事业单位和社会组织征集2026年度“粤治—治理现代化”案例。本届为平台演示数据,并非真实"
        "征集。\n\n"
        "一、案例类别\n"
        "(一)党建引领社会治理创新;(二)政府治理创新;(三)舆情引导;(四)大数据与公共服务。"
        "每个案例选择一个类别申报。\n\n"
        "二、申报要求\n"
        "案例须为近两年内实施并取得实效的创新实践,由主创单位申报,可多家单位联合申报。案例简介"
        "不超过300字,正文(背景、主要做法、取得成效、推广价值)合计不超过3000字,可附申报书和"
        "佐证材料。申报单位须对材料的真实性作出承诺。\n\n"
        "三、评审程序\n"
        "组委会对申报案例进行资格审查后,组织专家分组初审,实地走访核实部分案例,并召开评审委员会"
        "全体会议评定各类别优秀案例和提名奖,结果经公示后发布,获奖案例附专家点评。\n\n"
        "四、申报方式\n"
        "单位注册账号并经核验后,在平台“我的案例”中填写、保存草稿并提交案例。申报截止前可修改"
        "已提交的案例,截止后案例冻结。"
    ),
    "contact": "组委会办公室(演示):cases@demo.example.org",
    "categories": [
        ("DJ", "党建引领社会治理创新", "基层党建与社会治理深度融合的创新实践。", "南方党建智库"),
        ("ZF", "政府治理创新", "政府在体制机制、公共服务、社会治理等方面的改革创新。", ""),
        ("YQ", "舆情引导", "突发事件应对、网络舆论引导与政务传播的有效做法。", ""),
        ("DS", "大数据与公共服务", "运用大数据、人工智能等新技术提升治理和服务水平。", ""),
    ],
    # (name, quota, scope): per category, 5 优秀案例 and 5 提名奖.
    "tiers": [("优秀案例", 5, "per_category"), ("提名奖", 5, "per_category")],
    "round": {
        "name": "初审",
        "order": 1,
        "kind": "scoring",
        "reviews_per_case": 3,
        "aggregation": "mean",
        "criteria": [
            ("创新性", "做法是否新颖,是否突破原有体制机制。", 3, 10),
            ("实效性", "是否取得可核实的成效。", 4, 10),
            ("可推广性", "经验能否复制推广到其他地区或部门。", 3, 10),
        ],
    },
    "panel": {"name": "评审委员会(演示)", "categories": ["DJ", "ZF", "YQ", "DS"]},
}

ORGANISER = {"email": "organiser@demo.example.org", "full_name": "演示组织方"}

# (email, judge name, title, panel role)
JUDGE_ACCOUNTS = [
    ("judge1@demo.example.org", "演示专家甲", "公共管理学教授(演示账号)", "chair"),
    ("judge2@demo.example.org", "演示专家乙", "新闻传播学副教授(演示账号)", "member"),
    ("judge3@demo.example.org", "演示专家丙", "数字政府研究员(演示账号)", "member"),
]

# One unit admin and one member per unit; the units are in `units.UNITS`.
UNIT_ACCOUNTS = [
    ("汕头市委宣传部", "shantou-admin@demo.example.org", "shantou-member@demo.example.org", "汕头"),
    (
        "广州市越秀区政务服务数据管理局",
        "yuexiu-admin@demo.example.org",
        "yuexiu-member@demo.example.org",
        "越秀",
    ),
    (
        "江门市人民政府",
        "jiangmen-admin@demo.example.org",
        "jiangmen-member@demo.example.org",
        "江门",
    ),
]

DEMO_NOTE = "【演示案例,内容据公开报道改编】"
# The contact phone of the demo unit accounts (the case form's 联系电话); not a real number.
DEMO_PHONE = "000-00000000(演示)"

# The open edition's cases: (unit, category code, status, fields)
CASES = [
    (
        "汕头市委宣传部",
        "ZF",
        "submitted",
        {
            "title": "创文常态长效机制推动城市精细化治理(演示)",
            "summary": DEMO_NOTE + "汕头以全国文明城市创建为抓手,推动创建工作从集中整治的强管模式"
            "向注重细节和内涵的对标创建模式转变,以“八大提质”计划带动城市治理常态长效。",
            "background": "汕头2016年启动创建全国文明城市。集中整治取得阶段性成效后,如何避免"
            "反弹、把创文成果转化为长效治理能力,成为城市治理面临的新课题。",
            "practice": "一是全面对标全国文明城市测评体系,打造社区、小区、校园、农贸市场、服务"
            "窗口等对标创建先行点、示范点;二是在中心城区重点路口推行“中队民警路长+机关民警副"
            "路长+辅警+志愿者”勤务模式;三是组织人大代表、政协委员和专家对全市街镇开展多轮对标"
            "创建评比,奖惩并举。",
            "outcomes": "道路交通遵章率、道路安全度持续攀升,农村人居环境和公共服务水平明显改善,"
            "市民参与创文的积极性显著提高。",
            "promotion_value": "以测评体系为标尺、以评比机制为抓手的对标创建做法,可供正在创建"
            "文明城市的地级市参考。",
        },
    ),
    (
        "汕头市委宣传部",
        "YQ",
        "draft",
        {
            "title": "汛期灾情“3NN”传播矩阵舆情引导(演示)",
            "summary": DEMO_NOTE + "暴雨内涝期间,以主流新媒体、门户网站和政务发布平台为核心,"
            "联动政务网站、两微一端和自媒体构建“3NN”传播矩阵,第一时间发声解惑、破除谣言。",
            "background": "持续特大暴雨造成部分区县内涝成灾,受灾视频和图片在微信群中传播,网络上"
            "出现质疑声音和不实言论。",
        },
    ),
    (
        "广州市越秀区政务服务数据管理局",
        "DS",
        "submitted",
        {
            "title": "“越有数”数据中台赋能基层精细治理(演示)",
            "summary": DEMO_NOTE + "以区级数据中心为枢纽加强数据治理、推进数据共享,各类诉求"
            "数据自动分拨到网格和职能部门,减少基层填表报数,提升数智决策力、执行力和服务力。",
            "background": "基层治理中数据分散在各部门,网格员和社区重复填表报数,群众和企业办事"
            "需要多次提交材料。",
            "practice": "一是建设区级数据中心,统一数据标准,推进跨部门数据共享;二是围绕居民和"
            "商户服务建设应用模块,诉求信息自动分拨到网格和职能部门;三是融入全省、全市数字政府"
            "平台,持续迭代升级。",
            "outcomes": "填表报数明显减少,多项手续免于提交,企业和社区居民办事更加简易,诉求响应"
            "更加及时。",
            "promotion_value": "“一中心多板块”的区级数据治理架构适用于其他城区的数字政府建设。",
        },
    ),
    (
        "广州市越秀区政务服务数据管理局",
        "ZF",
        "draft",
        {
            "title": "社区政务服务“一屋通办”(演示)",
            "summary": DEMO_NOTE + "在社区设置一站式政务服务点,把面对面服务的“温度”和数字化"
            "服务的“速度”结合起来,通过“云窗口”让居民在家门口办事。",
        },
    ),
    (
        "江门市人民政府",
        "ZF",
        "submitted",
        {
            "title": "“微市长”政务服务平台迭代升级(演示)",
            "summary": DEMO_NOTE + "以“微市长”命名的官方微信平台整合政府服务资源,全天候提供"
            "政务公开、群众办事、便民服务,推动“互联网+政务服务”向移动端延伸。",
            "background": "群众获取政务信息和办事的习惯转向移动端,传统政务网站和窗口难以满足"
            "全天候服务需求。",
            "practice": "一是以“微市长”命名建设官方微信平台,统一入口;二是整合各部门政务公开和"
            "办事服务资源;三是建立诉求受理、转办、反馈的闭环。",
            "outcomes": "群众办事、咨询和诉求反映实现“掌上办”,政务信息发布更加及时。",
            "promotion_value": "统一入口、整合资源、闭环办理的做法可供其他地市参考。",
        },
    ),
]

# A demo edition whose 初审 is scored and confirmed and whose public vote (网络投票 /
# 大众评审) is open, so a newcomer can vote (judging/demo_public_vote.py). The scores are
# demo values given by the demo judges, not facts of the seeds.
PUBLIC_VOTE_EDITION = {
    "slug": "2025-public-vote-demo",
    "title": "2025年度(演示·大众评审)",
    "number": None,
    "period_label": "2025年度",
    "year": 2025,
    "call_text": "本届为平台演示数据:初审已结束,入围案例进入网络投票(大众评审),"
    "最终结果按专家评分 70%、公众投票 30% 综合计算。并非真实评选。",
    "contact": "组委会办公室(演示):cases@demo.example.org",
    "categories": [
        ("ZF", "政府治理创新", "政府在体制机制、公共服务、社会治理等方面的改革创新。", ""),
        ("DS", "大数据与公共服务", "运用大数据、人工智能等新技术提升治理和服务水平。", ""),
    ],
    "tiers": [],
    "round": EDITION["round"],
    "vote_round": {"name": "网络投票(大众评审)", "order": 2, "days": 14},
    "rules": {"votes_per_day": 3, "votes_per_case": 1, "expert_weight": 70, "public_weight": 30},
    # (title of a case in CASES, category code, reference, one (创新性, 实效性, 可推广性) per
    # demo judge)
    "cases": [
        (
            "创文常态长效机制推动城市精细化治理(演示)",
            "ZF",
            "2025-ZF-001",
            [(8, 9, 7), (7, 8, 8), (8, 8, 7)],
        ),
        (
            "“微市长”政务服务平台迭代升级(演示)",
            "ZF",
            "2025-ZF-002",
            [(7, 8, 8), (8, 7, 7), (7, 7, 8)],
        ),
        ("社区政务服务“一屋通办”(演示)", "ZF", "2025-ZF-003", [(9, 7, 8), (8, 8, 9), (7, 8, 8)]),
        (
            "“越有数”数据中台赋能基层精细治理(演示)",
            "DS",
            "2025-DS-001",
            [(9, 9, 8), (8, 9, 8), (9, 8, 9)],
        ),
    ],
}
