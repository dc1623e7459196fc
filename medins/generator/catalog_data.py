"""The catalog's families: code shapes, names, price bands and the limits each family carries.

A family is a run of catalog items that a pathway draws one of; variants differ by maker or
method, so each family keeps a narrow price band (costs in a peer group stay close).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Family:
    key: str
    kind: str  # X 西药, Z 中成药, T 饮片, S 医疗服务, C 耗材
    count: int
    stems: tuple[str, ...]
    price: tuple[int, int]  # fen per unit, low and high
    charge_type: str = ""  # 收费项目类别 for services
    prefix: str = ""  # ATC-like class for X/Z, 9-digit base for S, 4-digit class for C
    box_days: int = 0  # days one unit of a drug lasts
    levels: tuple[float, float, float] = (0.5, 0.5, 0.0)  # 甲, 乙, 丙 shares
    capped: float = 0.0  # share of items with a price cap
    limits: dict = field(default_factory=dict)
    includes: tuple[str, ...] = ()  # for bundles: families whose codes the bundle includes


def _x(key, count, stems, price, prefix, box_days=7, **kw) -> Family:
    return Family(key, "X", count, stems, price, "09", prefix, box_days, **kw)


def _z(key, count, stems, price, prefix, box_days=7, **kw) -> Family:
    return Family(key, "Z", count, stems, price, "11", prefix, box_days, **kw)


def _s(key, count, stems, price, charge_type, prefix, **kw) -> Family:
    kw.setdefault("capped", 1.0)  # service prices are set by the price bureau
    kw.setdefault("levels", (1.0, 0.0, 0.0))
    return Family(key, "S", count, stems, price, charge_type, prefix, **kw)


def _c(key, count, stems, price, prefix, **kw) -> Family:
    kw.setdefault("capped", 0.8)
    kw.setdefault("levels", (0.0, 1.0, 0.0))
    return Family(key, "C", count, stems, price, "08", prefix, **kw)


ONE_A_DAY = {"max_daily_cnt": 1}

# fmt: off
FAMILIES: tuple[Family, ...] = (
    # 西药
    _x("htn", 40, ("氨氯地平片", "硝苯地平控释片", "非洛地平缓释片"), (1500, 2400), "C08CA", 14),
    _x("htn2", 40, ("缬沙坦胶囊", "厄贝沙坦片", "替米沙坦片", "美托洛尔缓释片"), (1800, 2800),
        "C09CA", 14),
    _x("dm", 30, ("二甲双胍缓释片", "格列美脲片", "格列齐德缓释片"), (1200, 2000), "A10BA", 14),
    _x("dm2", 30, ("阿卡波糖片", "西格列汀片", "达格列净片"), (2000, 3200), "A10BF", 14,
        limits={"lmt_dise_prefixes": "E11"}),
    _x("insulin", 20, ("门冬胰岛素注射液", "甘精胰岛素注射液", "地特胰岛素注射液"), (4000, 6000),
        "A10AB", 1, limits={"lmt_dise_prefixes": "E10|E11"}),
    _x("cad", 30, ("阿托伐他汀钙片", "瑞舒伐他汀钙片", "阿司匹林肠溶片"), (1500, 2500), "C10AA",
        14),
    _x("cad2", 30, ("氯吡格雷片", "单硝酸异山梨酯缓释片", "替格瑞洛片"), (2200, 3200), "B01AC",
        14, limits={"lmt_dise_prefixes": "I20|I21|I25|I63"}),
    _x("copd", 30, ("噻托溴铵吸入粉雾剂", "沙美特罗替卡松吸入粉雾剂", "布地奈德福莫特罗粉吸入剂"),
        (6000, 9000), "R03AK", 15, limits={"lmt_dise_prefixes": "J44|J45"}),
    _x("abx_oral", 60, ("阿莫西林胶囊", "头孢克肟胶囊", "阿奇霉素片", "头孢呋辛酯片"),
        (1200, 2200), "J01CA", 6),
    _x("abx_iv", 50, ("注射用头孢曲松钠", "注射用头孢呋辛钠", "注射用哌拉西林他唑巴坦"),
        (2500, 4000), "J01DD", 1, limits={"lmt_inpatient_only": True}),
    _x("cold", 50, ("对乙酰氨基酚片", "布洛芬缓释胶囊", "氨咖黄敏胶囊", "右美沙芬片"),
        (800, 1400), "N02BE", 6),
    _x("peds", 40, ("小儿氨酚黄那敏颗粒", "布洛芬混悬液", "小儿止咳糖浆"), (900, 1500), "N02BX",
        6, limits={"lmt_max_age": 14}),
    _x("gi", 60, ("奥美拉唑肠溶胶囊", "雷贝拉唑钠肠溶片", "铝碳酸镁咀嚼片", "蒙脱石散"),
        (1200, 2000), "A02BC", 7),
    _x("gi_iv", 20, ("注射用艾司奥美拉唑钠", "注射用泮托拉唑钠"), (2500, 3500), "A02BD", 1,
        limits={"lmt_inpatient_only": True}),
    _x("analgesic", 40, ("塞来昔布胶囊", "双氯芬酸钠缓释片", "洛索洛芬钠片"), (1400, 2200),
        "M01AH", 7, limits={"lmt_min_age": 12}),
    _x("eye", 30, ("左氧氟沙星滴眼液", "玻璃酸钠滴眼液", "妥布霉素滴眼液"), (1500, 2500), "S01AE",
        7),
    _x("derm", 30, ("糠酸莫米松乳膏", "炉甘石洗剂", "丁酸氢化可的松乳膏"), (1000, 1800), "D07AC",
        7),
    _x("gyn", 20, ("甲硝唑阴道泡腾片", "克霉唑阴道片"), (1500, 2200), "G01AF", 7,
        limits={"lmt_gend": "2"}),
    _x("uro", 20, ("盐酸坦索罗辛缓释胶囊", "非那雄胺片"), (2500, 3500), "G04CA", 10,
        limits={"lmt_gend": "1"}),
    _x("obst", 10, ("缩宫素注射液", "卡前列素氨丁三醇注射液"), (800, 1200), "H01BB", 1,
        limits={"lmt_gend": "2", "lmt_inpatient_only": True}),
    _x("onc", 30, ("紫杉醇注射液", "注射用顺铂", "注射用曲妥珠单抗"), (30000, 45000), "L01CD", 1,
        limits={"lmt_dise_prefixes": "C", "lmt_inpatient_only": True, "lmt_min_hosp_lv": 2}),
    _x("neuro", 30, ("丁苯酞氯化钠注射液", "依达拉奉注射液", "注射用血栓通"), (6000, 8000),
        "N07XX", 1, limits={"lmt_dise_prefixes": "I63", "max_pay_days": 14}),
    _x("cardio_iv", 20, ("硝酸甘油注射液", "低分子肝素钙注射液"), (2500, 3500), "C01DA", 1,
        limits={"lmt_inpatient_only": True}),
    _x("fluids", 30, ("0.9%氯化钠注射液", "5%葡萄糖注射液", "葡萄糖氯化钠注射液"), (400, 700),
        "B05BB", 1, levels=(1.0, 0.0, 0.0)),
    _x("fluids_b", 20, ("复方氯化钠注射液", "乳酸钠林格注射液"), (800, 1200), "B05BB", 1,
        levels=(1.0, 0.0, 0.0)),
    _x("neonatal", 10, ("牛肺表面活性剂", "猪肺磷脂注射液"), (20000, 26000), "R07AA", 1,
        limits={"lmt_max_age": 0}),
    _x("vitamins", 30, ("维生素C片", "复合维生素B片", "叶酸片", "多维元素片"), (600, 1000),
        "A11GA", 30, levels=(0.3, 0.3, 0.4)),
    _x("restricted", 15, ("利伐沙班片", "达比加群酯胶囊"), (3000, 4000), "B01AF", 7,
        limits={"lmt_min_hosp_lv": 2}),
    _x("anaesthetic", 15, ("丙泊酚注射液", "盐酸利多卡因注射液"), (1500, 3000), "N01AX", 1),
    # 中成药
    _z("zc_cold", 40, ("连花清瘟胶囊", "感冒清热颗粒", "双黄连口服液", "蓝芩口服液"),
        (1500, 2300), "A01AA"),
    _z("zc_heat", 30, ("蒲地蓝消炎片", "银黄颗粒", "清开灵颗粒"), (1200, 1900), "A01BA"),
    _z("zc_gi", 30, ("香砂养胃丸", "保和丸", "气滞胃痛颗粒"), (1200, 1900), "A06AA"),
    _z("zc_heart", 40, ("复方丹参滴丸", "银杏叶片", "通心络胶囊", "血塞通软胶囊"), (2500, 3500),
        "A12BA", 14, limits={"lmt_dise_prefixes": "I20|I21|I25|I63|I67"}),
    _z("zc_bone", 30, ("颈舒颗粒", "骨通贴膏", "伤科接骨片"), (1500, 2300), "A15AA"),
    _z("zc_gyn", 20, ("妇科千金片", "花红片"), (1400, 2000), "A09AA", limits={"lmt_gend": "2"}),
    _z("zc_peds", 20, ("小儿豉翘清热颗粒", "小儿肺热咳喘口服液"), (1500, 2200), "A13AA",
        limits={"lmt_max_age": 14}),
    # 中药饮片: units are grams
    Family("herbs", "T", 400,
        ("黄芪", "当归", "党参", "白术", "茯苓", "甘草", "川芎", "白芍", "熟地黄", "柴胡", "陈皮",
         "半夏", "葛根", "桂枝", "防风", "羌活", "独活", "丹参", "红花", "桃仁", "枳壳", "厚朴",
         "麦冬", "五味子", "山药", "山茱萸", "泽泻", "牡丹皮", "杜仲", "牛膝", "续断", "桑寄生",
         "鸡血藤", "威灵仙", "木香", "砂仁"), (3, 60), "10", levels=(0.0, 0.9, 0.1)),
    # 医疗服务项目
    _s("bed_1", 2, ("一级医院普通病房床位费",), (2500, 3000), "01", "110900001",
        limits=ONE_A_DAY),
    _s("bed_2", 2, ("二级医院普通病房床位费",), (4000, 4500), "01", "110900002",
        limits=ONE_A_DAY),
    _s("bed_3", 3, ("三级医院普通病房床位费",), (5000, 6000), "01", "110900003",
        limits=ONE_A_DAY),
    _s("consult_1", 1, ("一般诊疗费",), (1000, 1000), "12", "110200101", limits=ONE_A_DAY),
    _s("consult_2", 1, ("二级医院普通门诊诊察费",), (1500, 1500), "02", "110200102",
        limits=ONE_A_DAY),
    _s("consult_3", 2, ("三级医院普通门诊诊察费",), (2500, 2500), "02", "110200103",
        limits=ONE_A_DAY),
    _s("consult_er", 2, ("急诊诊察费",), (2000, 2000), "02", "110200201", limits=ONE_A_DAY),
    _s("consult_ip", 3, ("住院诊察费",), (2000, 2500), "02", "110200301", limits=ONE_A_DAY),
    _s("nursing_1", 2, ("Ⅰ级护理",), (3000, 3000), "07", "120100003", limits=ONE_A_DAY),
    _s("nursing_2", 2, ("Ⅱ级护理",), (2000, 2000), "07", "120100004", limits=ONE_A_DAY),
    _s("svc_infusion", 3, ("静脉输液",), (1200, 1500), "05", "120400006"),
    _s("svc_injection", 2, ("肌肉注射",), (500, 600), "05", "120400001",
        limits={"max_daily_cnt": 3}),
    _s("svc_dressing", 3, ("换药(小)", "换药(中)"), (2000, 3000), "05", "120800001"),
    _s("svc_suture", 3, ("清创缝合术(小)",), (8000, 9000), "06", "310100001"),
    _s("svc_dental", 4, ("龋齿充填术", "根管治疗术"), (6000, 8000), "05", "310511001"),
    _s("svc_tcm", 6, ("普通针刺", "推拿治疗", "拔罐疗法"), (3500, 4500), "05", "430000001"),
    _s("svc_intubation", 2, ("气管插管术",), (10000, 12000), "05", "310603001"),
    _s("svc_laparoscopy", 2, ("腹腔镜探查术",), (60000, 70000), "06", "331000001"),
    _s("ecg", 2, ("常规心电图检查",), (2000, 2500), "03", "310701001"),
    _s("xray_chest", 3, ("胸部正位X线摄影",), (6000, 7000), "03", "210102001"),
    _s("xray_spine", 2, ("腰椎正侧位X线摄影",), (9000, 10000), "03", "210102015"),
    _s("xray_limb", 3, ("四肢关节X线摄影",), (6000, 7000), "03", "210102020"),
    _s("ct_chest", 3, ("胸部CT平扫",), (22000, 25000), "03", "210300001",
        limits={"repeat_window_days": 30}),
    _s("ct_head", 3, ("颅脑CT平扫",), (20000, 23000), "03", "210300002",
        limits={"repeat_window_days": 14}),
    _s("ct_abdomen", 2, ("上腹部CT平扫",), (23000, 26000), "03", "210300003",
        limits={"repeat_window_days": 30}),
    _s("ct_limb", 2, ("四肢CT平扫",), (20000, 22000), "03", "210300004",
        limits={"repeat_window_days": 30}),
    _s("mri_head", 3, ("颅脑磁共振平扫",), (50000, 56000), "03", "210400001",
        limits={"repeat_window_days": 60}),
    _s("us_abdomen", 3, ("腹部彩色多普勒超声",), (12000, 14000), "03", "220201001"),
    _s("us_heart", 3, ("心脏彩色多普勒超声",), (18000, 20000), "03", "220600001",
        limits={"repeat_window_days": 90}),
    _s("us_urology", 2, ("泌尿系彩色多普勒超声",), (12000, 13000), "03", "220201005"),
    _s("us_obstetric", 2, ("产科彩色多普勒超声",), (13000, 15000), "03", "220800001"),
    _s("us_breast", 2, ("乳腺彩色多普勒超声",), (10000, 11000), "03", "220201008"),
    _s("eye_exam", 2, ("眼底检查",), (2500, 3000), "03", "220800101",
        limits={"repeat_window_days": 60}),
    _s("lab_cbc", 3, ("血细胞分析(血常规)",), (2000, 2500), "04", "250101015"),
    _s("lab_crp", 3, ("C反应蛋白测定",), (3000, 3500), "04", "250403034"),
    _s("lab_cbc_crp", 2, ("血常规+C反应蛋白联合检测",), (4500, 5000), "04", "250101900",
        includes=("lab_cbc", "lab_crp")),
    _s("lab_liver", 3, ("肝功能检查",), (5000, 6000), "04", "250305001"),
    _s("lab_renal", 3, ("肾功能检查",), (3500, 4000), "04", "250307001"),
    _s("lab_glucose", 3, ("葡萄糖测定",), (500, 700), "04", "250302001"),
    _s("lab_electrolytes", 2, ("血清电解质测定",), (2500, 3000), "04", "250304001"),
    _s("lab_panel", 2, ("生化全套",), (12000, 13000), "04", "250300900",
        includes=("lab_liver", "lab_renal", "lab_glucose", "lab_electrolytes")),
    _s("lab_hba1c", 3, ("糖化血红蛋白测定",), (6000, 7000), "04", "250302003",
        limits={"repeat_window_days": 90}),
    _s("lab_lipid", 3, ("血脂四项",), (4000, 4500), "04", "250303001",
        limits={"repeat_window_days": 30}),
    _s("lab_tumor", 4, ("肿瘤标志物测定",), (8000, 9000), "04", "250404001",
        limits={"repeat_window_days": 30}),
    _s("lab_cardiac", 3, ("心肌损伤标志物测定",), (9000, 10000), "04", "250306001"),
    _s("lab_bloodgas", 2, ("血气分析",), (6000, 6500), "04", "250502001"),
    _s("lab_urine", 3, ("尿液分析",), (1500, 2000), "04", "250102001"),
    _s("lab_stool", 2, ("粪便常规",), (800, 1000), "04", "250103001"),
    _s("lab_leucorrhea", 2, ("阴道分泌物检查",), (1000, 1200), "04", "250104001",
        limits={"lmt_gend": "2"}),
    _s("surg_pci", 2, ("经皮冠状动脉支架置入术",), (450000, 480000), "06", "320600001",
        limits={"lmt_min_hosp_lv": 3}),
    _s("surg_chole", 2, ("腹腔镜下胆囊切除术",), (180000, 190000), "06", "331000900",
        includes=("svc_laparoscopy",)),
    _s("surg_append", 2, ("阑尾切除术",), (120000, 130000), "06", "331003001"),
    _s("surg_knee", 2, ("人工全膝关节置换术",), (300000, 320000), "06", "331500001",
        limits={"lmt_min_hosp_lv": 2}),
    _s("surg_femur", 2, ("股骨颈骨折切开复位内固定术",), (250000, 260000), "06", "331501001"),
    _s("surg_radius", 2, ("桡骨骨折切开复位内固定术",), (150000, 160000), "06", "331502001"),
    _s("surg_delivery", 2, ("单胎顺产接生",), (80000, 90000), "06", "331400001",
        limits={"lmt_gend": "2"}),
    _s("surg_cataract", 2, ("白内障超声乳化摘除术",), (250000, 270000), "06", "330400001"),
    _s("anaesthesia", 2, ("全身麻醉",), (90000, 100000), "06", "330100900",
        includes=("svc_intubation",)),
    # Catalog breadth: services the pathways do not order but a real catalog lists.
    _s("lab_misc", 120,
        ("铁蛋白测定", "维生素D测定", "同型半胱氨酸测定", "抗核抗体测定", "尿微量白蛋白测定",
         "血清淀粉酶测定"), (2000, 6000), "04", "250399001", limits={"repeat_window_days": 30}),
    _s("svc_misc", 120,
        ("超声波治疗", "微波治疗", "穴位贴敷治疗", "康复评定", "吞咽功能障碍训练", "中药熏洗治疗"),
        (1500, 5000), "05", "340100001"),
    # 医用耗材
    _c("mat_infusion", 30, ("一次性使用输液器", "一次性使用注射器", "留置针"), (300, 600),
        "0201"),
    _c("mat_surgical", 40, ("手术缝合线", "一次性使用无菌手术包", "医用敷料"), (8000, 12000),
        "0301"),
    _c("mat_stent", 10, ("药物洗脱冠状动脉支架",), (60000, 80000), "0401"),
    _c("mat_lens", 20, ("人工晶状体",), (100000, 140000), "0501"),
    _c("mat_joint", 20, ("人工膝关节假体",), (450000, 520000), "0601"),
    _c("mat_plate", 30, ("骨科接骨板", "骨科螺钉"), (180000, 220000), "0602"),
    # Items only injections and near misses use: each carries exactly one limit.
    _x("inj_gend1", 3, ("十一酸睾酮软胶囊",), (1500, 1800), "G03BA", 7, limits={"lmt_gend": "1"}),
    _x("inj_gend2", 3, ("黄体酮软胶囊",), (1500, 1800), "G03DA", 7, limits={"lmt_gend": "2"}),
    _x("inj_maxage", 3, ("小儿布洛芬栓",), (1500, 1800), "M01AE", 3, limits={"lmt_max_age": 14}),
    _x("inj_minage", 3, ("左氧氟沙星片",), (1500, 1800), "J01MA", 3, limits={"lmt_min_age": 18}),
    _x("inj_dise", 3, ("利拉鲁肽注射液",), (1500, 1800), "A10BJ", 3,
        limits={"lmt_dise_prefixes": "E10|E11"}),
    _x("inj_inpt", 3, ("注射用奥美拉唑钠",), (1200, 1500), "A02BC", 1,
        limits={"lmt_inpatient_only": True}),
    _x("inj_lvl", 3, ("注射用替考拉宁",), (1500, 1800), "J01XA", 1,
        limits={"lmt_min_hosp_lv": 3}),
    _x("inj_paydays", 4, ("注射用七叶皂苷钠",), (2500, 3000), "C05CX", 1,
        limits={"max_pay_days": 4}),
    _x("inj_longrx", 3, ("苯磺酸氨氯地平片(长处方)",), (15, 20), "C08CA", 1,
        limits={"max_supply_days": 90}),
    _s("inj_window", 6, ("血清促甲状腺激素测定",), (1500, 2000), "04", "250310001"),
    _s("inj_costly", 3, ("高压氧舱治疗",), (20000, 22000), "05", "340200001"),
    _s("inj_part_a", 2, ("血清钾测定",), (500, 700), "04", "250304002"),
    _s("inj_part_b", 2, ("血清钠测定",), (500, 700), "04", "250304003"),
    _s("inj_bundle", 2, ("血清钾钠氯联合测定",), (1200, 1500), "04", "250304900",
        includes=("inj_part_a", "inj_part_b")),
    _s("inj_extra", 10,
        ("超敏C反应蛋白测定", "降钙素原检测", "D-二聚体测定", "中频脉冲电治疗", "红外线治疗"),
        (800, 1500), "04", "250403100"),
)
# fmt: on

# Repeat windows of the six inj_window items, so a near miss can sit exactly at each.
INJECTION_WINDOWS = (7, 14, 30, 60, 90, 180)
FORMS = {"X": ("", "(国药准字)", "(基药)"), "Z": ("", "(基药)")}
MAKERS = (
    "齐鲁制药",
    "鲁南制药",
    "瑞阳制药",
    "新华制药",
    "步长制药",
    "华润双鹤",
    "扬子江药业",
    "石药集团",
    "恒瑞医药",
    "以岭药业",
    "辰欣药业",
    "罗欣药业",
)
