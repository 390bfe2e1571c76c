"""UI strings of the instrument-set pages and the set choice of a new assessment."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "nav_sets": ("ชุดแบบวัด", "Instrument sets"),
    "sets_title": ("ชุดแบบวัดการประเมิน", "Instrument sets"),
    "sets_intro": (
        "ชุดแบบวัดแต่ละปี (ข้อคำถาม มาตรวัดและคะแนน เกณฑ์ระดับผล น้ำหนัก) ทั้งที่มากับระบบและที่"
        "หน่วยงานเพิ่มเอง ชุดที่มีการประเมินใช้แล้วจะไม่เปลี่ยนอีก ไฟล์ที่แก้ไขต้องใช้รหัสชุดใหม่",
        "Each year's instruments (questions, scales and scores, verdict tiers, weights), shipped "
        "with the app or added by an office. A set that assessments use never changes: a "
        "changed file gets a new set id.",
    ),
    "set_id": ("รหัสชุด", "Set id"),
    "set_title": ("ชื่อ", "Title"),
    "set_title_page": ("ชุดแบบวัด {id}", "Instrument set {id}"),
    "set_origin": ("ที่มา", "Source"),
    "set_origin_shipped": ("มากับระบบ", "shipped"),
    "set_origin_added": ("หน่วยงานเพิ่ม", "added"),
    "set_stored": ("เก็บสำเนาในฐานข้อมูลแล้ว", "copy stored"),
    "set_in_use": ("การประเมินที่ใช้", "Assessments using it"),
    "set_provenance_status": ("แหล่งที่มาของข้อมูล", "Provenance"),
    "set_unconfirmed": ("ยังไม่ยืนยัน {n} รายการ", "{n} unconfirmed"),
    "set_confirmed": ("ยืนยันแล้ว {n} รายการ", "{n} confirmed"),
    "set_sources_named": ("ระบุแหล่งที่มา", "names sources"),
    "set_no_sources": ("ไม่ระบุแหล่งที่มา", "names no source"),
    "set_no_provenance": ("ไม่มีหมายเหตุแหล่งที่มา", "no provenance"),
    "set_file_changed_short": (
        "ไฟล์ที่มากับระบบถูกแก้ไข การประเมินยังใช้สำเนาเดิม",
        "The shipped file changed; assessments keep the stored copy.",
    ),
    "set_file_changed": (
        "ไฟล์ {id}.toml ที่มากับระบบรุ่นนี้ต่างจากสำเนาที่การประเมินใช้อยู่ (SHA-256 {sha}…) "
        "การประเมินทั้งเดิมและใหม่ของรหัสนี้ใช้สำเนาเดิมต่อไป ไม่มีการคำนวณคะแนนใหม่ หากต้องการใช้"
        "ไฟล์ที่แก้ไข ให้เพิ่มเป็นชุดใหม่ด้วยรหัสชุดใหม่",
        "The shipped file {id}.toml of this release differs from the copy assessments use "
        "(SHA-256 {sha}…). Existing and new assessments on this id keep the stored copy; nothing "
        "is rescored. To use the changed file, add it under a new set id.",
    ),
    "set_upload_title": ("เพิ่มชุดแบบวัด", "Add an instrument set"),
    "set_upload_intro": (
        "อัปโหลดไฟล์นิยามชุดแบบวัด (TOML รูปแบบเดียวกับไฟล์ใน questionnaires/definitions) "
        "ระบบตรวจไฟล์และแสดงตัวอย่างก่อน ยังไม่บันทึกจนกว่าจะกดยืนยัน",
        "Upload an instrument-set definition file (TOML, the format of the files in "
        "questionnaires/definitions). It is checked and previewed first; nothing is stored "
        "until you confirm.",
    ),
    "set_file": ("ไฟล์นิยาม (.toml)", "Definition file (.toml)"),
    "set_file_hint": ("ไม่เกิน 200 kB, UTF-8", "At most 200 kB, UTF-8"),
    "set_check": ("ตรวจและแสดงตัวอย่าง", "Check and preview"),
    "set_refused": ("ไฟล์นี้ใช้ไม่ได้ ไม่มีการบันทึกสิ่งใด", "This file cannot be used; nothing was stored."),
    "set_error_file": ("ไฟล์", "File"),
    "set_error_entry": ("รายการ", "Entry"),
    "set_error_reason": ("เหตุผล", "Reason"),
    "set_preview_title": ("ตัวอย่างชุดแบบวัด {id} (ยังไม่บันทึก)", "Preview of {id} (not stored yet)"),
    "set_preview_note": (
        "ตรวจแล้วใช้ได้ โปรดอ่านข้อคำถาม คะแนน และเกณฑ์ด้านล่าง แล้วกดยืนยันท้ายหน้า "
        "เมื่อบันทึกแล้วจะแก้ไขชุดนี้ไม่ได้",
        "The file is valid. Read the questions, scores and tiers below, then confirm at the end "
        "of the page. Once stored, this set can never change.",
    ),
    "set_text": ("เนื้อหาไฟล์", "The file's text"),
    "set_confirm_hint": (
        "เมื่อยืนยัน ชุดนี้จะเป็นตัวเลือกสำหรับการประเมินใหม่",
        "Once confirmed, this set is offered for new assessments.",
    ),
    "set_confirm": ("ยืนยันและบันทึกชุดแบบวัด", "Confirm and store the set"),
    "set_confirm_incomplete": ("การยืนยันไม่ครบถ้วน กรุณาอัปโหลดไฟล์อีกครั้ง",
                               "the confirmation is incomplete: upload the file again"),
    "set_confirm_changed": (
        "เนื้อหาไม่ตรงกับที่แสดงตัวอย่าง (SHA-256 ไม่ตรงกัน) กรุณาอัปโหลดไฟล์อีกครั้ง",
        "the text differs from the previewed one (its SHA-256 does not match): upload the file again",
    ),
    "set_confirm_race": (
        "มีการบันทึกชุดรหัสนี้ในเวลาเดียวกัน กรุณาตรวจรายการชุดแบบวัด",
        "a set with this id was stored at the same moment: check the list of sets",
    ),
    "set_added": ("บันทึกชุดแบบวัด {id} แล้ว ใช้กับการประเมินใหม่ได้",
                  "Instrument set {id} stored; it is offered for new assessments."),
    "set_identical": ("ชุดแบบวัด {id} มีอยู่แล้วด้วยเนื้อหาเดียวกัน ไม่มีการเปลี่ยนแปลง",
                      "Instrument set {id} is already there with the same content; nothing changed."),
    "set_facts": ("ข้อมูลชุด", "The set"),
    "set_counts": ("จำนวนข้อ", "Items"),
    "set_count_items": ("{n} ข้อ", "{n} items"),
    "set_methodology": ("วิธีคิดคะแนน", "Methodology"),
    "set_weights": ("น้ำหนัก", "Weights"),
    "set_pass_mark": ("เกณฑ์ผ่าน", "Pass mark"),
    "set_target": ("ค่าเป้าหมายรายตัวชี้วัด", "Indicator target"),
    "set_decimals": ("ทศนิยม", "Decimals"),
    "set_half_up": ("ปัดครึ่งขึ้น", "rounded half up"),
    "set_min_group": ("กลุ่มผู้ตอบ EIT ที่น้อยกว่านี้ไม่แสดงแยก", "Smallest EIT group shown"),
    "set_min_sample": ("จำนวนผู้ตอบขั้นต่ำ {inst}", "Minimum sample {inst}"),
    "set_rule_fixed": ("{n} คน", "{n} responses"),
    "set_rule_percent": ("ร้อยละ {percent} ของผู้มีสิทธิ์ อย่างน้อย {floor} คน (ทุกคนหากไม่เกิน {floor})",
                         "{percent}% of those eligible, at least {floor} (everyone at or below {floor})"),
    "set_tiers": ("ระดับผลการประเมิน", "Verdict tiers"),
    "set_tier_code": ("รหัส", "Code"),
    "set_label": ("ชื่อ", "Label"),
    "set_min_total": ("คะแนนรวมขั้นต่ำ", "Minimum total"),
    "set_floors": ("เกณฑ์ขั้นต่ำรายแบบวัด", "Floors per instrument"),
    "set_passed": ("ผ่าน", "Passed"),
    "set_yes": ("ใช่", "yes"),
    "set_no": ("ไม่ใช่", "no"),
    "set_grades": ("ระดับคะแนน", "Grades"),
    "set_grade": ("ระดับ", "Grade"),
    "set_min_score": ("คะแนนขั้นต่ำ", "From"),
    "set_no_grades": ("ชุดนี้ไม่มีระดับคะแนน (ใช้ระดับผลการประเมินด้านบน)",
                      "This set has no grades (it rates with the tiers above)."),
    "set_scales": ("มาตรวัดและคะแนนของแต่ละคำตอบ", "Answer scales and their scores"),
    "set_option": ("ตัวเลือก", "Option"),
    "set_score": ("คะแนน", "Score"),
    "set_reverse_score": ("คะแนนข้อกลับทิศ", "Reverse score"),
    "set_indicator": ("ตัวชี้วัดที่ {code}", "Indicator {code}"),
    "set_item": ("ข้อ", "Item"),
    "set_wording": ("ข้อความ", "Wording"),
    "set_scale": ("มาตรวัด", "Scale"),
    "set_direction": ("ทิศทาง", "Direction"),
    "set_direction_positive": ("ตรง", "positive"),
    "set_direction_reverse": ("กลับทิศ", "reverse"),
    "set_direction_yes_good": ("ตอบ มี/ใช่ ดี", "yes is good"),
    "set_direction_yes_bad": ("ตอบ มี/ใช่ ไม่ดี", "yes is bad"),
    "set_groups": ("กลุ่มผู้ตอบ EIT", "EIT respondent groups"),
    "set_provenance": ("แหล่งที่มาและสิ่งที่ยังไม่ยืนยัน", "Provenance and what is not confirmed"),
    # the set of a new assessment
    "set_of_fiscal_year": ("ชุดของปีงบประมาณที่กรอก (ค่าเริ่มต้น)",
                           "The set of the fiscal year entered (default)"),
    "set_choice": ("{id} · พ.ศ. {year} · {origin}", "{id} · B.E. {year} · {origin}"),
    "set_default_hint": ("ปีงบประมาณ {year}: ชุด {id}", "Fiscal year {year}: set {id}"),
    "set_of_assessment": ("ชุดแบบวัด", "Instrument set"),
}
