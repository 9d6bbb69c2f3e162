"""The controlled vocabularies pairing matches on, as the app seeds them (editable in the
admin afterwards). Plain data, importable without Django (the benchmark uses it too)."""

SERVICES = [
    "信息咨询",
    "检索分析",
    "专利导航",
    "风险预警",
    "高价值专利挖掘",
    "知识产权体检",
    "培训",
    "商标品牌指导",
    "维权援助",
    "质押融资",
]
INDUSTRIES = ["生物医药", "新能源", "新材料", "盐湖化工", "农牧", "文化旅游", "装备制造", "信息技术"]
