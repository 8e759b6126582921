"""Where the demo's fictional producers are: real provinces (or countries) and the regions the
report breaks figures down by."""

from __future__ import annotations

from metalstat.catalog.model import Product
from metalstat.catalog.vocabulary import REGIONS_CHINA

# The usual statistical regions of mainland China.
PROVINCE_REGION: dict[str, str] = {
    **dict.fromkeys(
        ["Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi", "Shandong"],
        "east China",
    ),
    **dict.fromkeys(["Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia"], "north China"),
    **dict.fromkeys(["Liaoning", "Jilin", "Heilongjiang"], "north-east China"),
    **dict.fromkeys(["Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang"], "north-west China"),
    **dict.fromkeys(["Henan", "Hubei", "Hunan"], "central China"),
    **dict.fromkeys(["Guangdong", "Guangxi", "Hainan"], "south China"),
    **dict.fromkeys(["Chongqing", "Sichuan", "Guizhou", "Yunnan", "Tibet"], "south-west China"),
}

PROVINCE_ZH: dict[str, str] = {
    "Shanghai": "上海", "Jiangsu": "江苏", "Zhejiang": "浙江", "Anhui": "安徽", "Fujian": "福建",
    "Jiangxi": "江西", "Shandong": "山东", "Beijing": "北京", "Tianjin": "天津", "Hebei": "河北",
    "Shanxi": "山西", "Inner Mongolia": "内蒙古", "Liaoning": "辽宁", "Jilin": "吉林",
    "Heilongjiang": "黑龙江", "Shaanxi": "陕西", "Gansu": "甘肃", "Qinghai": "青海",
    "Ningxia": "宁夏", "Xinjiang": "新疆", "Henan": "河南", "Hubei": "湖北", "Hunan": "湖南",
    "Guangdong": "广东", "Guangxi": "广西", "Hainan": "海南", "Chongqing": "重庆",
    "Sichuan": "四川", "Guizhou": "贵州", "Yunnan": "云南", "Tibet": "西藏",
}  # fmt: skip

# Countries (overseas products) and the report's world regions.
COUNTRY_REGION: dict[str, str] = {
    "United Arab Emirates": "Middle East", "Bahrain": "Middle East", "Saudi Arabia": "Middle East",
    "Qatar": "Middle East", "Oman": "Middle East", "India": "India", "Malaysia": "other Asia",
    "Indonesia": "Indonesia", "Vietnam": "other Asia", "Kazakhstan": "other Asia",
    "Norway": "Europe", "Iceland": "Europe", "Germany": "Europe", "Spain": "Europe",
    "France": "Europe", "Ireland": "Europe", "Greece": "Europe", "Russia": "Russia",
    "Canada": "North America", "United States": "North America", "Brazil": "South America",
    "Argentina": "South America", "Jamaica": "South America", "Australia": "Oceania",
    "New Zealand": "Oceania", "South Africa": "Africa", "Mozambique": "Africa",
    "Guinea": "Africa", "Egypt": "Africa",
}  # fmt: skip

# Indonesian NPI: the province of each producing area the report names.
INDONESIA_AREAS: dict[str, str] = {
    "Central Sulawesi": "Central Sulawesi",
    "Southeast Sulawesi": "Southeast Sulawesi",
    "South Sulawesi": "South Sulawesi",
    "Halmahera": "North Maluku",
    "Obi Island": "North Maluku",
    "Kalimantan": "North Kalimantan",
    "other": "Banten",
}

# Product-specific regions the report uses, by province.
_CUSTOM_REGIONS: dict[str, dict[str, str]] = {
    "alumina": {
        **dict.fromkeys(["Shanxi", "Shandong", "Henan", "Inner Mongolia", "Hebei"], "north"),
        **dict.fromkeys(["Guangxi", "Guizhou", "Yunnan", "Chongqing"], "south"),
    },
    "hc_ferrochrome": {
        "Inner Mongolia": "Inner Mongolia",
        **dict.fromkeys(["Sichuan", "Guizhou", "Guangxi", "Yunnan"], "southern regions"),
    },
    "simn_alloy": {
        "Inner Mongolia": "Inner Mongolia",
        **dict.fromkeys(["Guangxi", "Guizhou", "Yunnan", "Sichuan", "Hunan", "Chongqing"], "southern regions"),
    },
    "refined_tin": {"Yunnan": "Yunnan", "Jiangxi": "Jiangxi"},
}


def region_for(product: Product, province: str) -> str:
    """The product's region for a producer in ``province`` (a country for overseas products,
    an Indonesian producing area's province for Indonesian products)."""
    regions = product.regions
    custom = _CUSTOM_REGIONS.get(product.code, {})
    if province in custom:
        return custom[province]
    if province in COUNTRY_REGION and COUNTRY_REGION[province] in regions:
        return COUNTRY_REGION[province]
    if province in regions:
        return province
    standard = PROVINCE_REGION.get(province)
    if standard is not None and standard in regions:
        return standard
    for r in regions:
        if r.startswith("other") or r.endswith("and others"):
            return r
    if tuple(regions) == REGIONS_CHINA and standard is None:
        raise KeyError(f"{province!r} is not a province of mainland China")
    return regions[-1]


def provinces_of_region(product: Product, region: str) -> list[str]:
    """Candidate provinces (or countries) for a producer of ``product`` in ``region``."""
    pool = list(product.provinces) or [p for p, r in PROVINCE_REGION.items()]
    if product.scope == "Overseas":
        pool = list(COUNTRY_REGION)
    if product.scope == "Indonesia":
        area = INDONESIA_AREAS.get(region)
        return [area] if area else ["Banten"]
    out = []
    for p in pool:
        try:
            if region_for(product, p) == region:
                out.append(p)
        except KeyError:
            continue
    if not out and product.scope == "China":
        out = [p for p, r in PROVINCE_REGION.items() if r == region]
    return out


def country_for(product: Product, province: str) -> str:
    if product.scope == "Overseas":
        return province
    if product.scope == "Indonesia":
        return "Indonesia"
    return "China"
