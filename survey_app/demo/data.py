"""The demo's data: the agency, its schools and accounts, and the seed document's figures.

Read by the builder (:mod:`survey_app.demo`) and by the tests that check what the demo shows.
"""

from __future__ import annotations

DEMO_AGENCY = {
    "code": "CMI3",
    "name_th": "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 3",
    "name_en": "Chiang Mai Primary Educational Service Area Office 3",
    "agency_type": "area_office",
    "eligible_headcount": 90,
}
DEMO_YEAR = 2569
DEMO_SET = "ita-2569"
#: The seed document's year, kept as a closed assessment on its own methodology.
PAST_DEMO_YEAR = 2566
PAST_DEMO_SET = "ita-2566"
# Weights of the best, second-best … answer: a well-run office, as the seed's 2566 results.
# A scale with more levels continues the tail (each next level half as likely).
ORDINAL_WEIGHTS = (0.70, 0.24, 0.04, 0.02)
YESNO_WEIGHTS = (0.94, 0.06)
EIT_GROUP_WEIGHTS = {"school": 0.45, "public": 0.3, "private": 0.1, "state_agency": 0.1,
                      "other": 0.05}

DEMO_ADMIN = "demo-admin"
DEMO_VIEWER_OTHER = "demo-viewer-other"
#: Another area office, so that "a viewer of another agency sees none of CMI3" can be tried.
OTHER_AGENCY = {
    "code": "CMI1",
    "name_th": "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 1",
    "name_en": "Chiang Mai Primary Educational Service Area Office 1",
    "agency_type": "area_office",
    "eligible_headcount": 110,
}
#: Schools under CMI3: (code, Thai name, English name, eligible staff, answer weights, OIT fails
#: among ita-2569's items).  A school of fewer than 30 staff must hear from every one of them
#: (the IIT minimum); two schools have, two are still short, so the supervisor page shows both.
DEMO_SCHOOLS_COMPLETE = ("CMI3-S01", "CMI3-S04")
DEMO_SCHOOLS = (
    ("CMI3-S01", "โรงเรียนบ้านแม่ริม", "Ban Mae Rim School", 24, (0.74, 0.22, 0.03, 0.01),
     ("O20",)),
    ("CMI3-S02", "โรงเรียนบ้านสะลวง", "Ban Saluang School", 18, (0.62, 0.28, 0.07, 0.03),
     ("O12", "O20", "O24")),
    ("CMI3-S03", "โรงเรียนบ้านโป่งแยง", "Ban Pong Yaeng School", 15, (0.55, 0.30, 0.10, 0.05),
     ("O8", "O12", "O20", "O22", "O24")),
    ("CMI3-S04", "โรงเรียนบ้านแม่แรม", "Ban Mae Raem School", 20, (0.80, 0.17, 0.02, 0.01),
     ()),
)
#: The seed document's published totals of CMI3 (B.E. 2559–2566).
DEMO_PAST_TOTALS = {2559: 78.76, 2560: 90.01, 2561: 86.13, 2562: 83.23, 2563: 85.15,
                    2564: 95.57, 2565: 96.53}
#: The B.E. 2566 result NACC published for the office, as the seed document prints it (seed
#: 000_16be9e07ab1820c5.txt, copied in tests/data/seed_2566_results.json): the total, the
#: weighted parts, the ten indicators and the seven OIT sub-indicators.  It is the demo's 2566
#: result on every page and document.
DEMO_PUBLISHED_2566 = {
    "total": 94.67, "IIT": 29.35, "EIT": 27.57, "OIT": 37.75,
    "1": 99.02, "2": 96.90, "3": 96.49, "4": 98.69, "5": 98.13,
    "6": 93.20, "7": 91.94, "8": 90.53, "9": 95.00, "10": 93.75,
    "9.1": 100.00, "9.2": 100.00, "9.3": 100.00, "9.4": 100.00, "9.5": 75.00,
    "10.1": 87.50, "10.2": 100.00,
}
#: CMI3's B.E. 2569 checklist (ita-2569's items): every item passes except these.
DEMO_OIT_FAILS = ("O12", "O20")
#: CMI3's B.E. 2566 checklist (ita-2566's items): as the seed's 2566 OIT, nearly.
DEMO_OIT_FAILS_2566 = ("O29", "O37")

#: Two of the seed document's B.E. 2567 improvement measures, so the demo report shows the
#: measures table filled in (the admin adds the rest on the measures page).
DEMO_MEASURES = (
    ("6", "ประชุมชี้แจงรูปแบบการให้บริการในการประชุมผู้บริหารสถานศึกษา จัดทำคู่มือหรือแนวทางการ"
          "ให้บริการสำหรับผู้รับบริการ และประกาศมาตรการให้บริการแก่ผู้รับบริการ",
     "กลุ่มอำนวยการ และทุกกลุ่ม/หน่วย",
     "1. จัดประชุมชี้แจงสร้างความเข้าใจให้บุคลากร 2. แจ้งเวียนคู่มือการให้บริการให้ผู้รับบริการ"
     "ทราบ 3. กำหนดระบบการตรวจสอบที่ชัดเจน เน้นความโปร่งใส",
     "ไตรมาส 3 ของปีงบประมาณ (พฤษภาคม – มิถุนายน)"),
    ("7", "กำหนดมาตรการเผยแพร่ข้อมูลข่าวสารของหน่วยงานผ่านช่องทางที่หลากหลาย และแต่งตั้ง"
          "ผู้รับผิดชอบกำกับติดตามและรายงานผล",
     "กลุ่มอำนวยการ และกลุ่ม DLICT",
     "1. ประชุมชี้แจงการเผยแพร่ข้อมูลของแต่ละกลุ่ม 2. เผยแพร่ข้อมูลที่เป็นปัจจุบันบนเว็บไซต์"
     "และสื่อออนไลน์ 3. รายงานผลทุกไตรมาส",
     "ดำเนินการต่อเนื่องทุกไตรมาส"),
)
