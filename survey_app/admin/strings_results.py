"""UI strings of the results, exports and report pages: key → (Thai, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "res_title": ("ผลการประเมิน", "Results"),
    "res_fiscal_year": ("ปีงบประมาณ พ.ศ. {year}", "Fiscal year B.E. {year}"),
    "res_live_note": (
        "ตัวเลขทั้งหมดคำนวณจากข้อมูลล่าสุดทุกครั้งที่เปิดหน้านี้",
        "Every figure is computed from the latest data each time this page opens.",
    ),
    "res_responses": ("จำนวนผู้ตอบ", "Responses"),
    "res_instrument": ("เครื่องมือ", "Instrument"),
    "res_count": ("ตอบแล้ว", "Answered"),
    "res_minimum": ("ขั้นต่ำ", "Minimum"),
    "res_met": ("ครบ", "met"),
    "res_short": ("ยังไม่ครบ", "short"),
    "res_moe": ("ความคลาดเคลื่อน (95%)", "Margin of error (95%)"),
    "res_headline": ("คะแนนรวม ITA", "ITA total"),
    "res_grade": ("ระดับ", "Grade"),
    "res_verdict": ("ผลการประเมิน", "Verdict"),
    "res_interval": ("ช่วงความเชื่อมั่น 95% (bootstrap)", "95% interval (bootstrap)"),
    "res_no_total": (
        "ยังคำนวณคะแนนรวมไม่ได้: ต้องมีคำตอบ IIT และ EIT และผลการตรวจ OIT อย่างน้อยหนึ่งข้อ",
        "No total yet: it needs IIT and EIT responses and at least one judged OIT item.",
    ),
    "res_parts": ("คะแนนตามเครื่องมือและค่าน้ำหนัก", "Instruments and weighted parts"),
    "res_score": ("คะแนน", "Score"),
    "res_weight": ("ค่าน้ำหนัก", "Weight"),
    "res_weighted": ("คะแนนหลังถ่วงน้ำหนัก", "Weighted"),
    "res_indicators": ("คะแนนรายตัวชี้วัด", "Indicator scores"),
    "res_indicator": ("ตัวชี้วัด", "Indicator"),
    "res_indicator_name": ("ประเด็นตัวชี้วัด", "Indicator"),
    "res_note": ("หมายเหตุ", "Note"),
    "res_pass": ("ผ่าน", "pass"),
    "res_fail": ("ไม่ผ่าน", "fail"),
    "res_source": ("ที่มา", "Source"),
    "res_source_responses": ("คำตอบ", "responses"),
    "res_source_checklist": ("แบบตรวจ OIT", "OIT checklist"),
    "res_source_given": ("กรอกคะแนน", "entered"),
    "res_alpha": ("ค่าแอลฟาของครอนบาค", "Cronbach's alpha"),
    "res_chart_indicators": (
        "กราฟคะแนนรายตัวชี้วัดเทียบกับเป้าหมาย", "Indicator scores against the target"),
    "res_target": ("เป้าหมายรายตัวชี้วัด: {target}", "Target per indicator: {target}"),
    "res_strengths": ("จุดแข็ง (คะแนนตั้งแต่ {target})", "Strengths (score ≥ {target})"),
    "res_to_develop": (
        "จุดที่ควรพัฒนา (คะแนนต่ำกว่า {target})", "Points to develop (score < {target})"),
    "res_none": ("ไม่มี", "none"),
    "res_items": ("รายข้อคำถามและการกระจายของคำตอบ", "Items and answer distributions"),
    "res_question": ("ข้อคำถาม", "Question"),
    "res_mean": ("คะแนนเฉลี่ย", "Mean score"),
    "res_no_answer": ("ไม่ตอบ", "No answer"),
    "res_eit_groups": ("EIT ตามกลุ่มผู้ตอบ", "EIT by respondent group"),
    "res_group": ("กลุ่มผู้ตอบ", "Respondent group"),
    "res_suppressed": ("ไม่แสดง (น้อยกว่า {n} คน)", "not shown (fewer than {n})"),
    "res_trend": ("ผลคะแนนย้อนหลัง", "Results over the years"),
    "res_year": ("ปีงบประมาณ พ.ศ.", "Fiscal year B.E."),
    "res_total": ("ผลคะแนน ITA", "ITA total"),
    "res_development": ("พัฒนาการ", "Development"),
    "res_difference": ("ผลต่างของคะแนน ITA", "Difference"),
    "res_oit": ("แบบตรวจการเปิดเผยข้อมูลสาธารณะ (OIT)", "Open data checklist (OIT)"),
    "res_oit_judged": (
        "ตรวจแล้ว {judged} จาก {items} ข้อ (ข้อที่ยังไม่ตรวจนับเป็นไม่ผ่าน)",
        "Judged {judged} of {items} items (items not judged yet count as not passed)",
    ),
    "res_sub_indicator": ("ตัวชี้วัดย่อย", "Sub-indicator"),
    "res_items_passed": ("ผ่าน (ข้อ)", "Items passed"),
    "res_links": ("ดาวน์โหลด", "Downloads"),
    "res_exports_link": ("ส่งออกข้อมูล", "Exports"),
    "res_hub": ("หน้าการประเมิน", "Assessment"),
    "res_oit_link": ("แบบตรวจ OIT", "OIT checklist"),
    "res_measures_link": ("มาตรการปรับปรุง", "Improvement measures"),
    "res_report_docx": ("รายงานประจำปี (Word)", "Yearly report (Word)"),
    "res_report_pdf": ("รายงานประจำปี (PDF)", "Yearly report (PDF)"),
    "res_report_preview": ("ดูรายงานบนหน้าเว็บ", "View the report"),
    # supervisor
    "sup_title": ("เปรียบเทียบหน่วยงานในสังกัด", "Agencies compared"),
    "sup_year": ("ปีงบประมาณ", "Fiscal year"),
    "sup_show": ("แสดง", "Show"),
    "sup_rank": ("อันดับ", "Rank"),
    "sup_agency": ("หน่วยงาน", "Agency"),
    "sup_type": ("ประเภท", "Type"),
    "sup_average": ("ค่าเฉลี่ยของกลุ่ม ({n} หน่วยงาน)", "Group average ({n} agencies)"),
    "sup_distribution": ("จำนวนหน่วยงานตามระดับผลการประเมิน", "Agencies by grade"),
    "sup_own": ("หน่วยงานของท่าน", "your agency"),
    "sup_no_result": (
        "{n} หน่วยงานยังไม่มีคะแนนรวม (ข้อมูลยังไม่ครบ)",
        "{n} agencies have no total yet (data incomplete)",
    ),
    "sup_without": ("หน่วยงานที่ยังไม่มีการประเมินในปีนี้", "Agencies without an assessment this year"),
    "sup_empty": ("ยังไม่มีการประเมินในขอบเขตของบัญชีนี้", "No assessments in this account's scope yet."),
    # exports
    "exp_title": ("ส่งออกข้อมูล", "Exports"),
    "exp_intro": (
        "ไฟล์คำตอบไม่มีข้อมูลระบุตัวผู้ตอบ (ไม่มีรหัส ไม่มีเวลา มีเพียงวันที่) "
        "ข้อความที่ขึ้นต้นด้วย = + - @ จะมีเครื่องหมาย ' นำหน้าเพื่อไม่ให้โปรแกรมตารางคำนวณรันเป็นสูตร",
        "Response files identify no one (no code, no time, only the date). Text starting "
        "with = + - @ gets a leading ' so that a spreadsheet never runs it as a formula.",
    ),
    "exp_responses_iit": ("คำตอบ IIT (หนึ่งแถวต่อผู้ตอบ หนึ่งคอลัมน์ต่อข้อ)", "IIT responses"),
    "exp_responses_eit": ("คำตอบ EIT (พร้อมกลุ่มผู้ตอบ)", "EIT responses (with group)"),
    "exp_codebook": ("คู่มือรหัสข้อมูล (ทุกคอลัมน์และตัวเลือก)", "Codebook (every column and option)"),
    "exp_scores": ("คะแนนและสรุปผล", "Scores and summaries"),
    "exp_cli": ("จากบรรทัดคำสั่ง", "From the command line"),
    # report
    "rep_pdf_unavailable": (
        "สร้าง PDF ไม่ได้: เครื่องแม่ข่ายไม่มี Chromium (ติดตั้งด้วย "
        "apt-get install chromium fonts-thai-tlwg) ไฟล์ Word ใช้ได้เสมอ",
        "PDF is not available: the server has no Chromium (install it with "
        "apt-get install chromium fonts-thai-tlwg). The Word file always works.",
    ),
    "rep_pdf_failed": (
        "สร้าง PDF ไม่สำเร็จ กรุณาใช้ไฟล์ Word", "The PDF could not be made; use the Word file."),
}
