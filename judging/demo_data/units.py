"""Every unit the demo names: type, administrative level and region (a ``/`` path).

Names are as printed in the seeds. Levels and regions follow from the names (汕头市委宣传部:
党政机关, 市州, 广东省/汕头市). Mass organisations (工会, 妇儿工委) count as 党政机关, the
usual 党政群机关 grouping. Where a seed does not tell where an enterprise or institute sits,
level and region stay empty rather than guessed.
"""

PG = "party_government"
INST = "institution"
ENT = "enterprise"
SOC = "social_organisation"
MEDIA = "media"
ACAD = "academic"

CENTRAL = "central"
PROV = "provincial"
CITY = "municipal"
COUNTY = "county"
TOWN = "township"

UNITS = {
    # 荆楚网排行榜 (seed 002)
    "湖北省高级人民法院": (PG, PROV, "湖北省"),
    "湖北省人力资源和社会保障厅": (PG, PROV, "湖北省"),
    "湖北省应急管理厅": (PG, PROV, "湖北省"),
    "湖北省市场监管局": (PG, PROV, "湖北省"),
    "湖北省科技厅": (PG, PROV, "湖北省"),
    "武汉市计量所": (INST, CITY, "湖北省/武汉市"),
    "黄石市财政局": (PG, CITY, "湖北省/黄石市"),
    "武汉市水务局": (PG, CITY, "湖北省/武汉市"),
    "国网武汉供电公司": (ENT, CITY, "湖北省/武汉市"),
    "襄阳市检察院": (PG, CITY, "湖北省/襄阳市"),
    "沙洋县": (PG, COUNTY, "湖北省/荆门市/沙洋县"),
    "远安县": (PG, COUNTY, "湖北省/宜昌市/远安县"),
    "房县": (PG, COUNTY, "湖北省/十堰市/房县"),
    "随州市曾都区": (PG, COUNTY, "湖北省/随州市/曾都区"),
    "武汉市青山区": (PG, COUNTY, "湖北省/武汉市/青山区"),
    # 粤治 (seeds 000 and 004)
    "惠州市发展和改革局": (PG, CITY, "广东省/惠州市"),
    "中共潮州市委": (PG, CITY, "广东省/潮州市"),
    "揭阳市金属企业联合会": (SOC, CITY, "广东省/揭阳市"),
    "广东省食品药品监督管理局": (PG, PROV, "广东省"),
    "中共广州市委宣传部": (PG, CITY, "广东省/广州市"),
    "广东省总工会": (PG, PROV, "广东省"),
    "广州(清远)产业园管委会": (PG, CITY, "广东省/清远市"),
    "广东省妇女儿童工作委员会": (PG, PROV, "广东省"),
    "江门市人民政府": (PG, CITY, "广东省/江门市"),
    "中山市南头镇党委": (PG, TOWN, "广东省/中山市/南头镇"),
    "深圳市互联网信息办公室": (PG, CITY, "广东省/深圳市"),
    "东莞市委宣传部": (PG, CITY, "广东省/东莞市"),
    "茂名市互联网信息办公室": (PG, CITY, "广东省/茂名市"),
    "广州市公安局": (PG, CITY, "广东省/广州市"),
    "中共广州市番禺区委宣传部": (PG, COUNTY, "广东省/广州市/番禺区"),
    "中共惠州市委宣传部": (PG, CITY, "广东省/惠州市"),
    "广州地铁集团": (ENT, CITY, "广东省/广州市"),
    "中共肇庆市委宣传部": (PG, CITY, "广东省/肇庆市"),
    "广东省人大常委会": (PG, PROV, "广东省"),
    "佛山市南海区数据统筹局": (PG, COUNTY, "广东省/佛山市/南海区"),
    "广东岭南通股份有限公司": (ENT, PROV, "广东省"),
    "广东省环境监测中心": (INST, PROV, "广东省"),
    "广东省气象探测数据中心": (INST, PROV, "广东省"),
    "深圳市坪山新区智慧社会服务中心": (INST, COUNTY, "广东省/深圳市/坪山区"),
    "深圳供电局有限公司": (ENT, CITY, "广东省/深圳市"),
    "汕头市委宣传部": (PG, CITY, "广东省/汕头市"),
    "汕头市濠江区委": (PG, COUNTY, "广东省/汕头市/濠江区"),
    "汕头市潮阳区委": (PG, COUNTY, "广东省/汕头市/潮阳区"),
    "汕头市潮阳区政府": (PG, COUNTY, "广东省/汕头市/潮阳区"),
    "汕头市公安局": (PG, CITY, "广东省/汕头市"),
    "汕头市委": (PG, CITY, "广东省/汕头市"),
    "汕头市政府": (PG, CITY, "广东省/汕头市"),
    "潮阳区委宣传部": (PG, COUNTY, "广东省/汕头市/潮阳区"),
    # 粤有数 2021 (seed 003)
    "人民网·人民数据": (MEDIA, CENTRAL, "北京市"),
    "广州市越秀区政务服务数据管理局": (PG, COUNTY, "广东省/广州市/越秀区"),
    "国家税务总局广州市税务局": (PG, CITY, "广东省/广州市"),
    "中国联通广州市分公司": (ENT, CITY, "广东省/广州市"),
    "深圳市盐田区政务服务中心": (INST, COUNTY, "广东省/深圳市/盐田区"),
    "广东一人一亩田网络科技有限公司": (ENT, "", "广东省"),
    "科大讯飞华南有限公司": (ENT, "", ""),
    "广州市海珠区政务服务数据管理局": (PG, COUNTY, "广东省/广州市/海珠区"),
    "潮州市生态环境局": (PG, CITY, "广东省/潮州市"),
    "中国移动潮州市分公司": (ENT, CITY, "广东省/潮州市"),
    # As printed (the city's name is 廉江市).
    "湛江市廉江住房和城乡建设局": (PG, COUNTY, "广东省/湛江市/廉江市"),
    "广东国地规划科技股份有限公司": (ENT, "", "广东省"),
    "清远日报社乡村新闻官创客中心": (MEDIA, CITY, "广东省/清远市"),
    "云润大数据研究院": (ACAD, "", ""),
    # 中国网络理政十大卓越案例 (seed 001): the units its text names as builders
    "浙江省安吉新闻集团": (MEDIA, COUNTY, "浙江省/湖州市/安吉县"),
    "北海市委": (PG, CITY, "广西壮族自治区/北海市"),
    "北海市政府": (PG, CITY, "广西壮族自治区/北海市"),
    "胶东在线": (MEDIA, CITY, "山东省/烟台市"),
    "宁波市鄞州区委宣传部": (PG, COUNTY, "浙江省/宁波市/鄞州区"),
    "银川市委": (PG, CITY, "宁夏回族自治区/银川市"),
    "银川市政府": (PG, CITY, "宁夏回族自治区/银川市"),
}
