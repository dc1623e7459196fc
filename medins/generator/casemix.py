"""The case mix: ICD-10 categories (国家临床版 2.0 style codes) and the care each one receives."""

from __future__ import annotations

from dataclasses import dataclass

# Settings an encounter can have; each maps to med_type when it is generated.
ACUTE, EMERGENCY, CHRONIC, PHARMACY, INPATIENT = "acute", "emerg", "chronic", "pharm", "inpt"
SETTINGS = (ACUTE, EMERGENCY, CHRONIC, PHARMACY, INPATIENT)


@dataclass(frozen=True)
class Category:
    code3: str
    codes: tuple[str, ...]
    name: str
    dept: str
    weights: dict[str, float]  # relative frequency in each setting
    sex: int = 0  # 0 any, 1 men only, 2 women only
    min_age: int = 0
    max_age: int = 120
    inpatient_type: str = "21"
    los: int = 0  # base length of stay in days (discharge day - admission day)
    drugs: tuple[str, ...] = ()  # outpatient drug families: one line from each
    child_drugs: tuple[str, ...] = ()  # used instead of `drugs` under 14
    ip_drugs: tuple[str, ...] = ()  # inpatient daily drug families
    labs: tuple[tuple[str, float], ...] = ()  # outpatient exam/lab groups and their chance
    ip_labs: tuple[str, ...] = ()  # admission-day exams and labs
    surgery: tuple[str, ...] = ()  # surgery, anaesthesia and consumable groups (day 1)
    nursing: str = "nursing_2"
    treatment: str = ""  # an outpatient treatment group (TCM: acupuncture…)
    herbs: bool = False  # a TCM prescription of decoction pieces


# fmt: off
CATEGORIES: tuple[Category, ...] = (
    Category("J06", ("J06.900", "J06.800"), "急性上呼吸道感染", "A03",
        {ACUTE: 24, EMERGENCY: 4, PHARMACY: 30}, drugs=("cold", "zc_cold"),
        child_drugs=("peds", "zc_peds"), labs=(("lab_cbc", 0.5),)),
    Category("J02", ("J02.900",), "急性咽炎", "A03", {ACUTE: 6, PHARMACY: 8},
        drugs=("abx_oral", "zc_heat"), child_drugs=("peds", "zc_peds"), labs=(("lab_cbc", 0.4),)),
    Category("J20", ("J20.900",), "急性支气管炎", "A03", {ACUTE: 6, PHARMACY: 4},
        drugs=("abx_oral", "cold"), child_drugs=("peds", "zc_peds"), labs=(("lab_cbc", 0.6),)),
    Category("J18", ("J18.900", "J18.000"), "肺炎", "A03", {ACUTE: 2, INPATIENT: 14}, los=7,
        drugs=("abx_oral", "zc_heat"), ip_drugs=("abx_iv", "zc_heat"), labs=(("xray_chest", 0.8),),
        ip_labs=("lab_cbc_crp", "ct_chest", "lab_panel")),
    Category("K29", ("K29.700", "K29.500"), "胃炎", "A03", {ACUTE: 6, PHARMACY: 6},
        drugs=("gi", "zc_gi"), labs=(("lab_cbc", 0.3),)),
    Category("K30", ("K30.x00",), "功能性消化不良", "A03", {ACUTE: 3, PHARMACY: 5},
        drugs=("gi", "zc_gi")),
    Category("A09", ("A09.900",), "感染性腹泻", "A03", {ACUTE: 3, EMERGENCY: 2, PHARMACY: 3},
        drugs=("gi", "abx_oral"), child_drugs=("gi", "zc_peds"), labs=(("lab_stool", 0.7),)),
    Category("M54", ("M54.500", "M54.200"), "背痛", "A06", {ACUTE: 4, PHARMACY: 5}, min_age=18,
        drugs=("analgesic", "zc_bone"), labs=(("xray_spine", 0.7),)),
    Category("R51", ("R51.x00",), "头痛", "A03", {ACUTE: 2, PHARMACY: 3}, min_age=14,
        drugs=("analgesic", "zc_heat")),
    Category("H10", ("H10.900",), "结膜炎", "A10", {ACUTE: 2, PHARMACY: 2}, drugs=("eye",)),
    Category("K02", ("K02.900",), "龋病", "A12", {ACUTE: 2}, drugs=("analgesic",),
        treatment="svc_dental"),
    Category("L30", ("L30.900",), "皮炎", "A03", {ACUTE: 2, PHARMACY: 3}, drugs=("derm",)),
    Category("N39", ("N39.000",), "尿路感染", "A03", {ACUTE: 2}, min_age=14,
        drugs=("abx_oral", "zc_heat"), labs=(("lab_urine", 0.9),)),
    Category("N76", ("N76.000",), "阴道炎", "A05", {ACUTE: 3}, sex=2, min_age=16,
        drugs=("gyn", "zc_gyn"), labs=(("lab_leucorrhea", 0.8),)),
    Category("N40", ("N40.x00",), "前列腺增生", "A04", {ACUTE: 2, CHRONIC: 0.5}, sex=1,
        min_age=45, drugs=("uro", "zc_heat"), labs=(("us_urology", 0.7),)),
    Category("Z34", ("Z34.900",), "正常妊娠监督", "A05", {ACUTE: 2}, sex=2, min_age=20,
        max_age=42, drugs=("vitamins",), labs=(("us_obstetric", 0.8),)),
    Category("M47", ("M47.800", "M47.200"), "颈椎病", "A50", {ACUTE: 3}, min_age=25,
        treatment="svc_tcm", herbs=True),
    Category("K59", ("K59.000",), "便秘", "A50", {ACUTE: 1}, min_age=18, herbs=True),
    Category("S93", ("S93.400",), "踝关节扭伤", "A06", {ACUTE: 1, EMERGENCY: 6}, min_age=6,
        drugs=("analgesic", "zc_bone"), labs=(("xray_limb", 0.9),), treatment="svc_dressing"),
    Category("S01", ("S01.800",), "头皮开放性伤口", "A21", {EMERGENCY: 4}, drugs=("abx_oral",),
        treatment="svc_suture"),
    Category("R07", ("R07.400",), "胸痛", "A21", {EMERGENCY: 3}, min_age=30, drugs=("cad",),
        labs=(("ecg", 0.95), ("lab_cardiac", 0.8))),
    Category("I10", ("I10.x00", "I10.x05"), "原发性高血压", "A03", {CHRONIC: 40}, min_age=30,
        drugs=("htn", "htn2"), labs=(("lab_lipid", 0.3),)),
    Category("E11", ("E11.900", "E11.400"), "2型糖尿病", "A03", {CHRONIC: 22, INPATIENT: 4},
        min_age=30, los=8, drugs=("dm", "dm2"), ip_drugs=("insulin", "fluids_b"),
        labs=(("lab_hba1c", 0.4), ("lab_glucose", 0.5)),
        ip_labs=("lab_cbc", "lab_panel", "lab_hba1c", "us_abdomen")),
    Category("I25", ("I25.100", "I25.103"), "冠状动脉粥样硬化性心脏病", "A03",
        {CHRONIC: 10, INPATIENT: 6}, min_age=40, los=7, drugs=("cad", "cad2"),
        ip_drugs=("cardio_iv", "zc_heart"), labs=(("ecg", 0.4),),
        ip_labs=("lab_cbc", "lab_panel", "ecg", "us_heart")),
    Category("J44", ("J44.900", "J44.100"), "慢性阻塞性肺疾病", "A03", {CHRONIC: 5, INPATIENT: 6},
        min_age=45, los=9, drugs=("copd", "zc_cold"), ip_drugs=("abx_iv", "copd"),
        ip_labs=("lab_cbc_crp", "ct_chest", "lab_bloodgas")),
    Category("I63", ("I63.900", "I63.500"), "脑梗死", "A03", {CHRONIC: 3, INPATIENT: 12},
        min_age=40, los=10, drugs=("cad", "zc_heart"), ip_drugs=("neuro", "zc_heart"),
        ip_labs=("lab_cbc", "lab_panel", "ct_head", "mri_head"), nursing="nursing_1"),
    Category("I21", ("I21.900",), "急性心肌梗死", "A03", {INPATIENT: 3}, min_age=40, los=8,
        ip_drugs=("cardio_iv", "cad"), ip_labs=("lab_cardiac", "ecg", "us_heart"),
        surgery=("surg_pci", "mat_stent"), nursing="nursing_1"),
    Category("K80", ("K80.200", "K80.100"), "胆囊结石", "A04", {INPATIENT: 7}, min_age=20, los=6,
        ip_drugs=("abx_iv", "gi_iv"), ip_labs=("lab_cbc", "lab_panel", "us_abdomen"),
        surgery=("surg_chole", "anaesthesia", "mat_surgical")),
    Category("K35", ("K35.800",), "急性阑尾炎", "A04", {INPATIENT: 5}, min_age=6, los=5,
        ip_drugs=("abx_iv", "fluids_b"), ip_labs=("lab_cbc_crp", "us_abdomen"),
        surgery=("surg_append", "anaesthesia", "mat_surgical")),
    Category("C34", ("C34.900",), "肺恶性肿瘤", "A19", {INPATIENT: 4}, min_age=40, los=10,
        ip_drugs=("onc", "zc_heat"), ip_labs=("lab_cbc", "lab_tumor", "ct_chest")),
    Category("C50", ("C50.900",), "乳腺恶性肿瘤", "A19", {INPATIENT: 3}, sex=2, min_age=30, los=9,
        ip_drugs=("onc", "gi_iv"), ip_labs=("lab_cbc", "lab_tumor", "us_breast")),
    Category("M17", ("M17.900",), "膝关节病", "A06", {ACUTE: 2, INPATIENT: 3}, min_age=50, los=9,
        drugs=("analgesic", "zc_bone"), ip_drugs=("abx_iv", "analgesic"),
        labs=(("xray_limb", 0.6),), ip_labs=("lab_cbc", "lab_panel", "xray_limb"),
        surgery=("surg_knee", "anaesthesia", "mat_joint")),
    Category("S72", ("S72.000", "S72.100"), "股骨骨折", "A06", {INPATIENT: 3}, min_age=50,
        inpatient_type="22", los=12, ip_drugs=("abx_iv", "analgesic"),
        ip_labs=("lab_cbc", "lab_panel", "ct_limb"),
        surgery=("surg_femur", "anaesthesia", "mat_plate"), nursing="nursing_1"),
    Category("S52", ("S52.500",), "桡骨远端骨折", "A06", {INPATIENT: 2}, min_age=6,
        inpatient_type="22", los=6, ip_drugs=("analgesic", "zc_bone"),
        ip_labs=("lab_cbc", "xray_limb"), surgery=("surg_radius", "mat_plate")),
    Category("O80", ("O80.000",), "单胎顺产", "A05", {INPATIENT: 6}, sex=2, min_age=20,
        max_age=42, los=3, ip_drugs=("obst", "fluids_b"), ip_labs=("lab_cbc", "us_obstetric"),
        surgery=("surg_delivery",)),
    Category("H25", ("H25.900",), "老年性白内障", "A10", {INPATIENT: 4}, min_age=55,
        inpatient_type="28", los=0, ip_drugs=("eye",), ip_labs=("lab_cbc", "eye_exam"),
        surgery=("surg_cataract", "mat_lens")),
    Category("N20", ("N20.000",), "肾结石", "A04", {INPATIENT: 3}, min_age=18, los=4,
        ip_drugs=("analgesic", "fluids_b"), ip_labs=("lab_urine", "us_urology", "ct_abdomen")),
    Category("P07", ("P07.300",), "早产儿", "A07", {INPATIENT: 1}, max_age=0, los=10,
        ip_drugs=("neonatal", "fluids_b"), ip_labs=("lab_cbc", "lab_bloodgas")),
)
# fmt: on

CATEGORY_INDEX = {category.code3: index for index, category in enumerate(CATEGORIES)}

# Secondary diagnoses given to inpatients now and then; none has a gender or age limit.
COMORBIDITIES = ("E78.500", "K21.000", "D64.900", "M81.000", "E87.600")
# Chronic conditions a person may carry; the first is the one they visit for.
CHRONIC_CODES = ("I10", "E11", "I25", "J44", "I63", "N40")
