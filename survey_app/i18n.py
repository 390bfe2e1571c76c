"""Thai-first UI text with English available: a small dictionary, no Babel.

``t(key)`` returns the string in the current language (``session["lang"]``, set by ``?lang=``);
``tr(obj, "name")`` picks ``obj.name_th`` or ``obj.name_en``.
"""

from __future__ import annotations

from flask import current_app, request, session

LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"

STRINGS: dict[str, tuple[str, str]] = {
    # key: (Thai, English)
    "site_name": ("ระบบตอบแบบวัด ITA", "ITA survey"),
    "site_tagline": (
        "การประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ",
        "Integrity and Transparency Assessment of public agencies",
    ),
    "switch_language": ("English", "ภาษาไทย"),
    "switch_language_label": ("Switch to English", "เปลี่ยนเป็นภาษาไทย"),
    "skip_to_content": ("ข้ามไปยังเนื้อหา", "Skip to content"),
    "home_title": ("ตอบแบบวัด ITA", "Answer an ITA survey"),
    "home_body": (
        "ใช้ลิงก์หรือคิวอาร์โค้ดที่หน่วยงานให้ไว้เพื่อเข้าตอบแบบวัด "
        "บุคลากรของหน่วยงาน (แบบวัด IIT) ใช้รหัสเข้าตอบที่ได้รับ "
        "ผู้รับบริการและผู้ติดต่อ (แบบวัด EIT) สแกนคิวอาร์โค้ดหรือเปิดลิงก์ของหน่วยงานได้ทันที",
        "Use the link or QR code your agency gave you. Staff (IIT) use the one-time access "
        "code they received; service users and contacts (EIT) scan the agency's QR code or "
        "open its link.",
    ),
    "fiscal_year": ("ปีงบประมาณ พ.ศ.", "Fiscal year B.E."),
    # code entry
    "iit_intro": (
        "แบบวัดนี้สำหรับบุคลากรของหน่วยงาน กรุณากรอกรหัสเข้าตอบที่ได้รับ "
        "รหัสใช้ได้ครั้งเดียว และไม่มีการบันทึกว่ารหัสใดเป็นของผู้ใด",
        "This survey is for the agency's own staff. Enter the access code you received. "
        "Each code works once, and no record says whose code was whose.",
    ),
    "code_label": ("รหัสเข้าตอบ", "Access code"),
    "code_hint": (
        "10 ตัวอักษร เช่น K7QM-4XPT-9C (พิมพ์ตัวเล็กหรือใหญ่ มีหรือไม่มีขีดก็ได้)",
        "10 characters, e.g. K7QM-4XPT-9C (any case, dashes optional)",
    ),
    "continue": ("ถัดไป", "Continue"),
    "code_malformed": (
        "รหัสไม่ถูกรูปแบบ: รหัสมี 10 ตัวอักษร (ตัวอักษรภาษาอังกฤษและตัวเลข 2–9) "
        "กรุณาตรวจสอบจากบัตรรหัสอีกครั้ง",
        "That is not an access code: codes have 10 characters (letters and digits 2–9). "
        "Please check your slip.",
    ),
    "code_unknown": (
        "ไม่พบรหัสนี้ในแบบวัดของหน่วยงานนี้ กรุณาตรวจสอบว่าพิมพ์ถูกต้อง "
        "หรือสอบถามผู้ดูแลการประเมินของหน่วยงาน",
        "This code does not belong to this agency's survey. Check that you typed it "
        "correctly, or ask your agency's ITA coordinator.",
    ),
    "code_used": (
        "รหัสนี้ถูกใช้ตอบแบบวัดไปแล้ว รหัสแต่ละรหัสใช้ได้เพียงครั้งเดียว "
        "หากท่านยังไม่ได้ตอบ กรุณาติดต่อผู้ดูแลการประเมินเพื่อขอรหัสใหม่",
        "This code has already been used. Each code works only once. If you have not "
        "answered yet, ask your agency's ITA coordinator for a new code.",
    ),
    "code_revoked": (
        "รหัสนี้ถูกยกเลิกแล้ว กรุณาติดต่อผู้ดูแลการประเมินของหน่วยงานเพื่อขอรหัสใหม่",
        "This code has been cancelled. Ask your agency's ITA coordinator for a new code.",
    ),
    "code_not_open": (
        "แบบวัดนี้ยังไม่เปิดให้ตอบ เปิดให้ตอบตั้งแต่ {opens}",
        "This survey is not open yet. It opens on {opens}.",
    ),
    "code_closed": (
        "หมดเวลาตอบแบบวัดนี้แล้ว (ปิดเมื่อ {closes}) รหัสจึงใช้ไม่ได้อีก",
        "This survey has closed ({closes}), so codes can no longer be used.",
    ),
    # a public link replaced by a new one (the console's "make a new public link")
    "link_replaced_title": ("ลิงก์นี้ถูกแทนที่แล้ว", "This link was replaced"),
    "link_replaced_body": (
        "หน่วยงานได้เปลี่ยนลิงก์ของแบบวัดนี้ ลิงก์หรือคิวอาร์โค้ดที่ท่านใช้จึงตอบแบบวัดไม่ได้อีก "
        "กรุณาใช้ลิงก์หรือคิวอาร์โค้ดใหม่จากหน่วยงาน หรือสอบถามผู้ดูแลการประเมินของหน่วยงาน",
        "The agency has replaced the link of this survey, so the link or QR code you used no "
        "longer takes answers. Please use the agency's new link or QR code, or ask its ITA "
        "coordinator.",
    ),
    "code_used_title": ("รหัสนี้ถูกใช้แล้ว", "This code has already been used"),
    # consent
    "consent_title": ("ก่อนเริ่มตอบ", "Before you start"),
    "eligibility_legend": ("คุณสมบัติผู้ตอบ", "Who may answer"),
    "eligibility_label": (
        "ข้าพเจ้าปฏิบัติงานในหน่วยงานนี้มาแล้วไม่น้อยกว่า 1 ปี",
        "I have worked in this agency for at least one year",
    ),
    "eligibility_required": (
        "แบบวัด IIT ตอบได้เฉพาะผู้ที่ปฏิบัติงานในหน่วยงานมาแล้วอย่างน้อย 1 ปี "
        "กรุณายืนยันเพื่อดำเนินการต่อ",
        "Only people who have worked in the agency for at least one year may answer IIT. "
        "Please confirm to continue.",
    ),
    "pdpa_title": ("การคุ้มครองข้อมูลส่วนบุคคล (PDPA)", "Your personal data (PDPA)"),
    "pdpa_kept": ("สิ่งที่ระบบเก็บ", "What is kept"),
    "pdpa_kept_iit": (
        "คำตอบของท่านแต่ละข้อ และวันที่ส่ง (ไม่บันทึกเวลา) "
        "และสถานะของรหัสว่า \"ใช้แล้ว\" (ไม่บันทึกว่าใช้เมื่อใด)",
        "Your answers and the date you submit (not the time), and that your code is "
        "\"used\" (not when).",
    ),
    "pdpa_kept_eit": (
        "คำตอบของท่านแต่ละข้อ กลุ่มผู้ตอบที่ท่านเลือก และวันที่ส่ง (ไม่บันทึกเวลา)",
        "Your answers, the respondent group you choose, and the date you submit (not "
        "the time).",
    ),
    "pdpa_not_kept": ("สิ่งที่ระบบไม่เก็บ", "What is not kept"),
    "pdpa_not_kept_iit": (
        "ชื่อของท่าน ข้อมูลว่ารหัสใดตอบอย่างไร ที่อยู่ IP อุปกรณ์หรือเบราว์เซอร์ที่ใช้ "
        "และเวลาที่ส่ง จึงไม่มีทางย้อนจากคำตอบกลับไปหารหัสหรือตัวท่านได้",
        "Your name, which code gave which answers, your IP address, your device or "
        "browser, and the time. Nothing leads from the answers back to a code or to you.",
    ),
    "pdpa_not_kept_eit": (
        "ชื่อของท่าน ที่อยู่ IP อุปกรณ์หรือเบราว์เซอร์ที่ใช้ และเวลาที่ส่ง "
        "เบราว์เซอร์ของท่านจะจำไว้เพียงว่าเคยตอบแล้ว (คุกกี้) เพื่อเตือนหากมีการตอบซ้ำ",
        "Your name, your IP address, your device or browser, and the time. Your browser "
        "only remembers (in a cookie) that it has answered, to warn about answering twice.",
    ),
    "pdpa_purpose": ("ใช้เพื่อ", "Used for"),
    "pdpa_purpose_text": (
        "คำนวณผลการประเมิน ITA ของหน่วยงานเท่านั้น ผลรายงานเป็นภาพรวมของหน่วยงาน "
        "ไม่มีการรายงานรายบุคคล",
        "Only the agency's ITA result, reported for the agency as a whole, never for a "
        "person.",
    ),
    "start_survey": ("เริ่มตอบแบบวัด", "Start the survey"),
    # questionnaire
    "progress_indicator": ("ตัวชี้วัดที่ {n} จาก {total}", "Indicator {n} of {total}"),
    "questions_count": (
        "{items} ข้อ รวม {questions} คำตอบ ใช้เวลาประมาณ {minutes} นาที ทุกข้อต้องตอบ",
        "{items} items, {questions} answers in all, about {minutes} minutes. Every "
        "question must be answered.",
    ),
    "answered_of": ("ตอบแล้ว", "Answered"),
    "of": ("จาก", "of"),
    "submit": ("ส่งคำตอบ", "Submit answers"),
    "item_no": ("ข้อ", "Item"),
    "and_more": ("และอีก {n} ข้อ", "and {n} more"),
    "answer_required": ("กรุณาเลือกคำตอบ", "Please choose an answer"),
    "group_legend": ("ท่านเป็นผู้รับบริการหรือผู้ติดต่อในกลุ่มใด", "Which group are you in?"),
    "group_short": ("กลุ่มผู้ตอบ", "Your group"),
    "group_required": ("กรุณาเลือกกลุ่มของท่าน", "Please choose your group"),
    "errors_summary": (
        "ยังตอบไม่ครบ {n} ข้อ กรุณาตอบข้อที่มีเครื่องหมายด้านล่าง คำตอบที่เลือกไว้แล้วยังอยู่ครบ",
        "{n} question(s) still need an answer (marked below). Your other answers are kept.",
    ),
    "csrf_expired": (
        "หน้านี้เปิดไว้นานเกินไป ระบบจึงยังไม่ได้บันทึกคำตอบ คำตอบของท่านยังอยู่ครบ "
        "กรุณากด \"ส่งคำตอบ\" อีกครั้ง",
        "This page was open for a long time, so your answers were not saved yet. They are "
        "all still here: please press \"Submit answers\" again.",
    ),
    "honeypot_label": ("เว้นว่างช่องนี้ไว้", "Leave this field empty"),
    "eit_intro": (
        "แบบวัดนี้สำหรับผู้รับบริการหรือผู้ติดต่อหน่วยงานในปีงบประมาณนี้ "
        "ไม่ต้องลงชื่อหรือเข้าสู่ระบบ",
        "This survey is for people who received a service from or contacted the agency "
        "this fiscal year. No name or login is needed.",
    ),
    "eit_already": (
        "เบราว์เซอร์นี้เคยใช้ตอบแบบวัดนี้แล้ว กรุณาตอบเพียงครั้งเดียวต่อคน "
        "หากท่านเป็นอีกคนหนึ่งที่ใช้อุปกรณ์เครื่องนี้ (เช่น เครื่องของโรงเรียน) ตอบต่อได้ตามปกติ",
        "This browser has already answered this survey. Please answer only once per "
        "person. If you are a different person using this device (e.g. a school "
        "computer), you may go ahead.",
    ),
    "eit_resubmit_title": ("ส่งคำตอบนี้ไปแล้ว", "These answers were already sent"),
    "eit_resubmit_body": (
        "คำตอบชุดนี้ถูกส่งและบันทึกไปแล้ว จึงไม่ได้บันทึกซ้ำ",
        "These answers were already sent and saved, so they were not saved again.",
    ),
    "answer_again": ("ตอบแบบวัดใหม่ (สำหรับผู้ตอบอีกคน)", "Answer again (for another person)"),
    "not_official_wording": (
        "ถ้อยคำข้อคำถามชุดนี้จัดทำโดยโครงการ ไม่ใช่ถ้อยคำทางการของ สำนักงาน ป.ป.ช.",
        "This wording was written by the project; it is not NACC's official wording.",
    ),
    # thanks
    "thanks_title": ("ขอบคุณที่ตอบแบบวัด", "Thank you for answering"),
    "thanks_body": (
        "คำตอบของท่านได้รับการบันทึกแล้ว ท่านปิดหน้านี้ได้ทันที",
        "Your answers have been saved. You can close this page now.",
    ),
    "thanks_iit": (
        "รหัสเข้าตอบของท่านใช้แล้ว และไม่สามารถใช้ตอบซ้ำได้ "
        "ระบบไม่ได้เก็บข้อมูลใดที่เชื่อมโยงคำตอบกับรหัสหรือตัวท่าน",
        "Your code is now used and cannot be used again. Nothing links your answers to "
        "the code or to you.",
    ),
    # unavailable / errors
    "not_open_title": ("แบบวัดยังไม่เปิด", "Not open yet"),
    "closed_title": ("ปิดรับคำตอบแล้ว", "Closed"),
    "not_open_body": (
        "แบบวัดนี้เปิดให้ตอบตั้งแต่ {opens}",
        "This survey opens on {opens}.",
    ),
    "closed_body": (
        "แบบวัดนี้ปิดรับคำตอบเมื่อ {closes} ขอบคุณที่สนใจ",
        "This survey closed on {closes}. Thank you for your interest.",
    ),
    "error_400_title": ("คำขอไม่ถูกต้อง", "Bad request"),
    "error_400_body": (
        "ระบบไม่สามารถรับข้อมูลที่ส่งมาได้ และไม่ได้บันทึกสิ่งใด "
        "กรุณากลับไปเปิดแบบวัดจากลิงก์ของหน่วยงานอีกครั้ง",
        "The data sent could not be accepted, and nothing was saved. Please open the "
        "survey again from your agency's link.",
    ),
    "error_closed_submit": (
        "แบบวัดนี้ไม่ได้เปิดรับคำตอบในขณะนี้ จึงไม่ได้บันทึกคำตอบ",
        "This survey is not accepting answers now, so nothing was saved.",
    ),
    "error_csrf_missing": (
        "แบบฟอร์มที่ส่งมาไม่มีรหัสความปลอดภัย จึงไม่ได้บันทึกสิ่งใด "
        "กรุณาเปิดแบบวัดจากลิงก์ของหน่วยงานอีกครั้ง",
        "The form arrived without its security token, so nothing was saved. Please open "
        "the survey again from your agency's link.",
    ),
    "error_tampered": (
        "คำตอบที่ส่งมามีข้อที่ไม่อยู่ในแบบวัดหรือตัวเลือกที่ไม่มีอยู่จริง จึงไม่ได้บันทึกสิ่งใด",
        "The answers sent contain a question or an option that is not in the survey, so "
        "nothing was saved.",
    ),
    "error_ticket": (
        "ไม่พบข้อมูลการยืนยันรหัส กรุณากรอกรหัสเข้าตอบอีกครั้ง",
        "Your code confirmation was not found. Please enter your access code again.",
    ),
    "error_404_title": ("ไม่พบหน้านี้", "Page not found"),
    "error_404_body": (
        "ลิงก์นี้ไม่ถูกต้องหรือไม่มีอยู่แล้ว กรุณาตรวจสอบลิงก์หรือคิวอาร์โค้ดจากหน่วยงาน",
        "This link is wrong or no longer exists. Please check the link or QR code from "
        "the agency.",
    ),
    "error_429_title": ("ลองหลายครั้งเกินไป", "Too many attempts"),
    "error_429_body": (
        "มีการลองจากเครือข่ายนี้หลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่",
        "Too many attempts from this network. Please wait a few minutes and try again.",
    ),
    "error_500_title": ("ระบบขัดข้อง", "Something went wrong"),
    "error_500_body": (
        "ระบบขัดข้องชั่วคราว คำตอบยังไม่ได้บันทึก กรุณาลองส่งอีกครั้งในอีกสักครู่",
        "Something went wrong on our side and nothing was saved. Please try again in a "
        "moment.",
    ),
    "error_503_title": ("ระบบไม่ว่างชั่วคราว", "The system is busy"),
    "error_503_body": (
        "ระบบไม่ว่างชั่วคราว จึงยังไม่ได้บันทึกสิ่งใด กรุณาลองอีกครั้งในอีกสักครู่",
        "The system is busy for a moment, so nothing was saved. Please try again in a moment.",
    ),
    "db_busy": (
        "ระบบไม่ว่างชั่วคราว จึงยังไม่ได้บันทึกคำตอบ คำตอบของท่านยังอยู่ครบในหน้านี้ "
        "กรุณากด \"ส่งคำตอบ\" อีกครั้งในอีกสักครู่",
        "The system is busy for a moment, so your answers were not saved yet. They are all "
        "still here: please press \"Submit answers\" again in a moment.",
    ),
    "db_busy_resend": (
        "ระบบไม่ว่างชั่วคราว จึงยังไม่ได้บันทึกสิ่งที่ท่านส่ง ข้อมูลที่ท่านกรอกยังอยู่ครบ "
        "กรุณากด \"ส่งอีกครั้ง\" ในอีกสักครู่",
        "The system is busy for a moment, so what you sent was not saved yet. It is all still "
        "here: please press \"Send again\" in a moment.",
    ),
    "send_again": ("ส่งอีกครั้ง", "Send again"),
    "try_again": ("ลองอีกครั้ง", "Try again"),
    "error_multipart": (
        "แบบฟอร์มนี้ไม่รับไฟล์แนบหรือข้อมูลรูปแบบ multipart จึงไม่ได้บันทึกสิ่งใด",
        "This form takes no file or multipart data, so nothing was saved.",
    ),
    "error_consent_value": (
        "ค่าการยืนยันคุณสมบัติที่ส่งมาไม่ถูกต้อง จึงไม่ได้บันทึกสิ่งใด "
        "กรุณาเปิดแบบวัดจากลิงก์ของหน่วยงานอีกครั้ง",
        "The eligibility confirmation sent is not valid, so nothing was saved. Please open "
        "the survey again from your agency's link.",
    ),
    "pdpa_summary_eit": (
        "ไม่ต้องลงชื่อ ระบบไม่เก็บชื่อ ที่อยู่ IP หรือเวลาที่ส่ง (อ่านรายละเอียดการคุ้มครองข้อมูล)",
        "No name needed: we keep no name, IP address or time of sending (read the privacy notice)",
    ),
    "back_to_start": ("กลับไปหน้าแรกของแบบวัด", "Back to the start of the survey"),
    "footer": (
        "ข้อมูลคำตอบใช้เพื่อการประเมิน ITA ของหน่วยงานเท่านั้น",
        "Answers are used only for the agency's ITA.",
    ),
    # -- the IIT ballot box (SECURITY.md): what the console says about ballots not yet mixed
    "iit_received": (
        "ได้รับ {n} ชุด ในจำนวนนี้ {p} ชุดรอผสมเข้าผลคะแนน",
        "received {n}, of which {p} waiting to be mixed",
    ),
    "iit_mix_note": (
        "คำตอบ IIT เข้าสู่ผลคะแนน แผนภูมิ และไฟล์ส่งออก ครั้งละอย่างน้อย {k} ชุด "
        "โดยสุ่มลำดับ (ชุดที่เหลือเมื่อปิดรับคำตอบ) เพื่อไม่ให้ผู้ใดจับคู่คำตอบกับรหัสเข้าตอบได้ "
        "ไม่มีคำตอบใดสูญหาย",
        "IIT answers reach the scores, charts and exports in shuffled batches of at least "
        "{k} (the rest when the assessment closes), so that no one can match answers to a "
        "code. No answer is lost.",
    ),
}


def register_strings(strings: dict[str, tuple[str, str]]) -> None:
    """Add a feature's (Thai, English) strings; a key may be defined only once."""
    clash = STRINGS.keys() & strings.keys()
    if clash:
        raise ValueError(f"UI string keys defined twice: {', '.join(sorted(clash))}")
    STRINGS.update(strings)


def current_language() -> str:
    lang = session.get("lang") if request else None
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    th, en = STRINGS[key]
    text = en if current_language() == "en" else th
    return text.format(**values) if values else text


def tr(obj: object, name: str) -> str:
    """Return ``obj.<name>_th`` or ``obj.<name>_en`` for the current language."""
    lang = current_language()
    text = getattr(obj, f"{name}_{lang}", "") or ""
    return text or getattr(obj, f"{name}_th")


def remember_language() -> None:
    """Before each request: ``?lang=th|en`` switches the language for the session."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang


_MONTHS_TH = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip


def format_datetime(value, timezone: str | None = None) -> str:
    """Return a local date and time, Thai style (B.E. year) or English style.

    ``timezone`` defaults to the app's ``TIMEZONE`` setting.
    """
    import zoneinfo

    local = value.astimezone(zoneinfo.ZoneInfo(timezone or current_app.config["TIMEZONE"]))
    if current_language() == "en":
        return f"{local.day} {local:%B %Y, %H:%M}"
    month = _MONTHS_TH[local.month - 1]
    return f"{local.day} {month} {local.year + 543} เวลา {local:%H:%M} น."
