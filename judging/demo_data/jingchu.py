"""荆楚网 社会治理创新排行榜, from seed 002 (traditional characters, stored in Simplified
Chinese, converted by hand).

A monthly, data-driven heat ranking published from April 2023 by 荆楚网(湖北日报网) and
楚天舆情数据研究院 in three lists: 省直, 市州, 区县. The seed is the March 2023 report: it names
units and cases in each list and prints the ranking rules, but gives no heat values and no rank
positions, so no scores or ranks are recorded. Each list's description keeps what the report
names in it; the rules are the edition's text.
"""

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
        "results_published_on": None,
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
