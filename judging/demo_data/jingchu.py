"""荆楚网 社会治理创新排行榜, from seed 002 (traditional characters, stored in Simplified
Chinese, converted by hand).

A monthly, data-driven heat ranking published from April 2023 by 荆楚网(湖北日报网) and
楚天舆情数据研究院 in three lists: 省直, 市州, 区县. The seed is the March 2023 report: it names
units and cases in each list and prints the ranking rules, but gives no heat values and no rank
positions, so no scores or ranks are recorded. Each list's description keeps what the report
names in it; the rules are the edition's text.

`HEAT` turns the report into a real 2023年3月 period of the heat rankings (judging/heat): the
items the report names, in their lists, and as mention data only the outlets the report names
for each item. 全网信息热度 is not in the source, so no mention counts are recorded; where the
report names no unit or no outlets for an item, none are recorded either. The outlets' levels
are our classification of each outlet (a fact about the outlet, not a figure of the report).
"""

import datetime

PROGRAMME = {
    "slug": "jingchu-shehui-zhili",
    "name": "荆楚网社会治理创新排行榜",
    "short_name": "荆楚网排行榜",
    "hosts": "荆楚网(湖北日报网)、楚天舆情数据研究院",
    "organisers": "",
    "description": (
        "为展现湖北省社会治理创新成果,自2023年4月起,荆楚网(湖北日报网)、楚天舆情数据研究院"
        "每月通过大数据系统对省内社会治理创新案例、热点活动进行分析,并分省直、市州和区县三个"
        "榜单发布,供参考借鉴。"
    ),
    "order": 4,
}

JUDGES = {}

RULES = (
    "排行榜规则说明:\n"
    "1、数据来源于荆楚网及第三方大数据传播指数系统自动抓取,不排除存在部分关联信息的干扰;\n"
    "2、全网信息热度等于案例在新闻、报刊、网站、论坛、客户端、微博、微信、头条、抖音等全网平台"
    "提及量的标准化数值;\n"
    "3、主流媒体报道热度等于案例在省级、央级以上媒体平台提及量的标准化数值;\n"
    "4、欢迎各级党政机构、企事业单位报送案例参评。联系电话:027-88567710。"
)

EDITIONS = [
    {
        "slug": "2023-03",
        "title": "2023年3月",
        "number": None,
        "period_label": "2023年3月",
        "year": 2023,
        "status": "archived",
        "call_text": RULES,
        "contact": "联系电话:027-88567710",
        "results_published_on": datetime.date(2023, 4, 29),  # see HEAT["published_on"]
        "results_unordered": False,
        "categories": [
            (
                "SHENGZHI",
                "省直",
                "本期报道提及:社会治理创新案例排行榜——湖北省应急管理厅、湖北省高级人民法院、"
                "湖北省市场监管局、湖北省科技厅和湖北省人力资源和社会保障厅等单位;社会治理创新"
                "活动排行榜——“游荆楚、享尊崇、葆本色”2023退役军人“春游湖北”活动、湖北省2023年"
                "纪念3·15国际消费者权益日系列活动。报道未公布热度数值与名次。",
                "",
            ),
            (
                "SHIZHOU",
                "市州",
                "本期报道提及:武汉市计量所、武汉市水务局、国网武汉供电公司、襄阳市检察院、黄石市"
                "财政局的治理创新;社会治理创新活动排行榜——“ONE有引力·首届武汉健康传播与创新"
                "大会”。报道未公布热度数值与名次。",
                "",
            ),
            (
                "QUXIAN",
                "区县",
                "本期报道提及:沙洋县油菜产业链,《湖北远安:提升人居环境》《湖北房县循环经济显"
                "成效 产业降碳发展增绿》《湖北随州曾都区:做实基层监督 助力“共同缔造”》等案例;"
                "社会治理创新活动排行榜——武汉市青山区为党员家庭“挂牌亮户”。报道未公布热度数值与"
                "名次。",
                "",
            ),
        ],
        "tiers": [],
        "awards": [],
        "panels": [],
    }
]


# 央级 / 省级 / 市级 / 其他, for the outlets the report names.
OUTLETS = {
    "人民日报": "central",
    "经济日报": "central",
    "中国长安网": "central",
    "中国质量报": "central",
    "中国消费者报": "central",
    "新华社": "central",
    "新华网": "central",
    "人民网": "central",
    "人民政协网": "central",
    "中国青年网": "central",
    "光明网": "central",
    "中国经济网": "central",
    "湖北日报": "provincial",
    "极目新闻": "provincial",
    "荆楚网": "provincial",
    "广西新闻网": "provincial",
    "齐鲁网": "provincial",
    "云南网": "provincial",
    "触电新闻": "provincial",
    "顶端新闻": "provincial",
    "长江日报": "municipal",
    "武汉晚报": "municipal",
    "东方资讯": "other",
}

UNNAMED_CASE = "本期上榜案例(报道未载明名称)"
GROUPED_OUTLETS = (
    "报道合并列举经济日报、人民网、中国经济网、荆楚网、顶端新闻、云南网的关注,未分别对应到"
    "各案例,故不计入。"
)

HEAT = {
    "edition_slug": "2023-03",
    "month": datetime.date(2023, 3, 1),
    # The report gives no date. It says the lists are published monthly from April 2023; the
    # page the seed was taken from lists news of 2023-04-29 beside it.
    "published_on": datetime.date(2023, 4, 29),
    "published_label": "2023年4月(报道未载明发布日期;所据转载页面日期为2023年4月29日)",
    "online_note": (
        "全网信息热度不在来源中:报道未公布各平台提及量,本期不计算全网信息热度。"
        "主流媒体报道热度只按报道中为各条目点名的省级、央级媒体计数,综合热度即主流媒体报道热度。报道本身未公布热度数值与名次,以下数值与名次是本平台按上述规则由报道所载事实计算的。"
    ),
    # (level, kind, items); an item is (unit or None, title, outlets, note)
    "lists": [
        (
            "provincial",
            "case",
            [
                ("湖北省高级人民法院", "试行“失信预警守信激励”机制", [], ""),
                (
                    "湖北省人力资源和社会保障厅",
                    "“23℃人社服务”品牌:人社基本公共服务标准化试点",
                    [
                        "人民日报",
                        "经济日报",
                        "湖北日报",
                        "中国长安网",
                        "中国质量报",
                        "中国消费者报",
                        "极目新闻",
                        "荆楚网",
                    ],
                    "",
                ),
                ("湖北省应急管理厅", UNNAMED_CASE, [], ""),
                ("湖北省市场监管局", UNNAMED_CASE, [], ""),
                ("湖北省科技厅", UNNAMED_CASE, [], ""),
            ],
        ),
        (
            "provincial",
            "activity",
            [
                (
                    None,
                    "“游荆楚、享尊崇、葆本色”2023退役军人“春游湖北”活动",
                    [],
                    "报道未载明主办单位。",
                ),
                (None, "湖北省2023年纪念3·15国际消费者权益日系列活动", [], "报道未载明主办单位。"),
            ],
        ),
        (
            "municipal",
            "case",
            [
                ("武汉市计量所", "“统计抽样+信用评价+在线监测”充电桩计量监管模式", [], ""),
                (
                    "黄石市财政局",
                    "预算管理一体化系统",
                    ["新华网", "人民政协网", "荆楚网", "广西新闻网", "齐鲁网", "云南网"],
                    "",
                ),
                ("武汉市水务局", UNNAMED_CASE, [], ""),
                ("国网武汉供电公司", UNNAMED_CASE, [], ""),
                ("襄阳市检察院", UNNAMED_CASE, [], ""),
            ],
        ),
        (
            "municipal",
            "activity",
            [
                (
                    None,
                    "“ONE有引力·首届武汉健康传播与创新大会”",
                    ["长江日报", "武汉晚报"],
                    "报道未载明主办单位。",
                ),
            ],
        ),
        (
            "county",
            "case",
            [
                (
                    "沙洋县",
                    "小油菜串起大产业 助力打造“富美”乡村",
                    ["新华社", "新华网", "中国青年网", "光明网", "触电新闻", "东方资讯", "荆楚网"],
                    "",
                ),
                ("远安县", "《湖北远安:提升人居环境》", [], GROUPED_OUTLETS),
                ("房县", "《湖北房县循环经济显成效 产业降碳发展增绿》", [], GROUPED_OUTLETS),
                (
                    "随州市曾都区",
                    "《湖北随州曾都区:做实基层监督 助力“共同缔造”》",
                    [],
                    GROUPED_OUTLETS,
                ),
            ],
        ),
        (
            "county",
            "activity",
            [("武汉市青山区", "为党员家庭“挂牌亮户”,“119小分队”参与楼栋“微治理”", [], "")],
        ),
    ],
}
