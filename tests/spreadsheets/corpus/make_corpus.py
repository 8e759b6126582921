"""Write the CSV files of the import test corpus (run from anywhere; files land beside it).

The valid files describe a small copper world: three producers with capacity, panel
membership, returns for January to May 2025 and June 2025. Each malformed file breaks one
rule against that world; the tests say which errors each must produce. XLSX cases (formulas,
merged cells) are built by the tests' fixtures with openpyxl.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

VALID = {
    "producers.csv": """\
code,name,name_zh,product,province,region,nature,feedstock,country
CU001,Eastern Copper Smelter,东方铜冶炼厂,copper_cathode,Jiangxi,east China,state_owned,copper concentrate,China
CU002,River Copper Refinery,江河铜精炼厂,copper_cathode,Anhui,east China,private,copper scrap or anode,China
CU003,Highland Copper Works,高原铜业,copper_cathode,Yunnan,south-west China,private,copper concentrate,China
""",
    "capacity.csv": """\
producer,valid_from,capacity,event,note
CU001,2020-01-01,365000,,
CU002,2020-01-01,120000,,
CU003,2020-01-01,36500,,
CU003,2025-07-01,73000,expansion,second line
""",
    "panel.csv": """\
producer,first_period,last_period
CU001,2024-01,
CU002,2024-01,
CU003,2024-01,2025-12
""",
    "returns_history.csv": "producer,period,output,schedule,status,reason\n"
    + "".join(
        f"{code},2025-{m:02d},{out},{out},normal,\n"
        for m in range(1, 6)
        for code, out in (("CU001", 28000), ("CU002", 9000), ("CU003", 2800))
    ),
    "returns_2025_06.csv": """\
producer,period,output,schedule,status,reason
CU001,2025-06,28500,29000,normal,
CU002,2025-06,8800,9000,normal,
CU003,2025-06,2750,2800,normal,
""",
    "events.csv": """\
producer,start,end,capacity_affected,reason,planned,description
CU002,2025-06-10,2025-06-25,40000,maintenance,yes,annual overhaul
CU003,2025-05-02,,5000,raw_material_shortage,no,concentrate arrivals late
""",
    "auxiliary.csv": """\
series,date,value,note,name,name_zh,unit,kind,product,highlighted
copper_tc_spot,2025-06-20,-44.1,,Copper concentrate spot TC,铜精矿现货加工费,USD/dmt,price,copper_cathode,yes
copper_tc_spot,2025-06-27,-43.5,weekly,Copper concentrate spot TC,铜精矿现货加工费,USD/dmt,price,copper_cathode,yes
""",
}

MALFORMED = {
    # No period column.
    "returns_missing_column.csv": """\
producer,output,schedule,status
CU001,28500,29000,normal
""",
    # A column metalstat does not know.
    "returns_extra_column.csv": """\
producer,period,output,comment
CU001,2025-06,28500,fine
""",
    # Letter O typed for zero.
    "returns_text_in_number.csv": """\
producer,period,output,schedule
CU001,2025-06,28500,29000
CU002,2025-06,88OO,9000
""",
    "returns_negative_output.csv": """\
producer,period,output,schedule
CU001,2025-06,28500,29000
CU002,2025-06,-8800,9000
""",
    "returns_unknown_producer.csv": """\
producer,period,output,schedule
CU001,2025-06,28500,29000
CU999,2025-06,1000,1000
""",
    "returns_unknown_product.csv": """\
producer,product,period,output,schedule
CU001,coper_cathode,2025-06,28500,29000
""",
    "producers_unknown_product.csv": """\
code,name,product,region
CU004,Northern Copper,copper_cathodes,north China
""",
    "returns_duplicate_row.csv": """\
producer,period,output,schedule
CU001,2025-06,28500,29000
CU002,2025-06,8800,9000
CU001,2025-06,28500,29000
""",
    "returns_bad_period.csv": """\
producer,period,output,schedule
CU001,2025-13,28500,29000
CU002,June 2025,8800,9000
CU003,2025-06,2750,2800
""",
    # CU003 can make 36,500 x 30/365 = 3,000 mt in June; +10 % tolerance = 3,300.
    "returns_above_capacity.csv": """\
producer,period,output,schedule,reason
CU003,2025-06,5000,2800,new furnace
""",
    # 2.8 (kt typed where mt is meant) is 1/1000 of CU003's usual 2,800 mt.
    "returns_unit_mixup.csv": """\
producer,period,output,schedule,reason
CU003,2025-06,2.8,2800,as reported by phone
""",
    "returns_empty.csv": "",
    "returns_header_only.csv": "producer,period,output,schedule\n",
}

# Chinese headers and text saved as GBK, the way older Excel versions save "CSV".
GBK = "企业代码,月份,产量,排产,状态,原因\nCU001,2025-06,28500,29000,normal,检修结束\n"


def main() -> None:
    for name, text in {**VALID, **MALFORMED}.items():
        (HERE / name).write_text(text, encoding="utf-8", newline="")
    (HERE / "returns_gbk.csv").write_bytes(GBK.encode("gbk"))
    # The same content as UTF-8 with a BOM (Excel's "CSV UTF-8") must import.
    (HERE / "returns_bom_chinese.csv").write_bytes(b"\xef\xbb\xbf" + GBK.encode("utf-8"))


if __name__ == "__main__":
    main()
