"""UI strings of the rehearsal import pages (Thai, English)."""

STRINGS: dict[str, tuple[str, str]] = {
    "imports_title": ("นำเข้าข้อมูลซ้อม (Google Forms)", "Import rehearsal data (Google Forms)"),
    "imports_intro": (
        "นำเข้าไฟล์ที่ส่งออกจาก Google Forms (CSV หรือ XLSX หัวคอลัมน์ภาษาไทยหรืออังกฤษ) "
        "ระบบจับคู่หัวคอลัมน์กับข้อคำถามของชุดแบบวัดและคำตอบกับตัวเลือก แล้วแสดงผลให้ตรวจก่อน "
        "ยังไม่บันทึกจนกว่าจะกดยืนยัน คอลัมน์ประทับเวลาและอีเมลถูกตัดทิ้งและไม่ถูกบันทึก "
        "ข้อมูลที่นำเข้าแยกจากคำตอบที่เก็บในระบบนี้ และไม่ถูกนำไปคำนวณผลเว้นแต่ผู้ดูแลเลือก",
        "Import a Google Forms export (CSV or XLSX, Thai or English headers). Headers are matched "
        "to the set's questions and answers to its options, and shown for you to check; nothing "
        "is stored until you confirm. The Timestamp and Email columns are dropped and never "
        "stored. Imported data stays apart from the answers collected here and is not counted "
        "in the results unless an admin chooses to include it."),
    "imports_file": ("ไฟล์ส่งออกจาก Google Forms", "Google Forms export"),
    "imports_mapping": ("ไฟล์จับคู่ (ถ้ามี, TOML หรือ CSV)", "Mapping file (optional, TOML or CSV)"),
    "imports_instrument": ("แบบวัด", "Instrument"),
    "imports_preview_button": ("ตรวจสอบก่อนนำเข้า", "Preview"),
    "imports_preview": ("ตรวจสอบก่อนนำเข้า: {file}", "Preview: {file}"),
    "imports_rows": ("อ่านได้ {n} แถว ({instrument})", "{n} rows read ({instrument})"),
    "imports_header": ("หัวคอลัมน์", "Header"),
    "imports_column": ("คอลัมน์", "Column"),
    "imports_target": ("จับคู่กับ", "Matched to"),
    "imports_how": ("วิธี", "How"),
    "imports_how_text": ("ข้อความคำถาม", "question text"),
    "imports_how_grid": ("ตาราง (แถว)", "grid row"),
    "imports_how_code": ("รหัสข้อ", "column code"),
    "imports_how_mapping": ("ไฟล์จับคู่", "mapping file"),
    "imports_how_dropped": ("ตัดทิ้ง ไม่บันทึก", "dropped, never stored"),
    "imports_how_answers": ("กลุ่มผู้ตอบ (จากคำตอบ)", "respondent group (by its answers)"),
    "imports_unmatched": ("ไม่พบ", "not matched"),
    "imports_problems": ("พบ {n} รายการที่จับคู่ไม่ได้ ยังนำเข้าไม่ได้:",
                         "{n} things could not be matched; nothing can be imported yet:"),
    "imports_fix": (
        "ดาวน์โหลดไฟล์จับคู่ด้านล่าง กรอกรหัสข้อ (เช่น i1.2 หรือ drop) และรหัสตัวเลือกในช่องที่ว่าง "
        "แล้วอัปโหลดพร้อมไฟล์ส่งออกอีกครั้ง",
        "Download the mapping file below, fill in each empty code (a column such as i1.2 or "
        "drop; an option code), and upload it with the export again."),
    "imports_download_mapping": ("ดาวน์โหลดไฟล์จับคู่ (TOML)", "Download the mapping (TOML)"),
    "imports_missing": ("ข้อที่ไม่มีในไฟล์ (นับเป็นไม่ตอบ): {columns}",
                        "Questions the file does not have (counted as no answer): {columns}"),
    "imports_confirm": ("ยืนยันนำเข้า {n} แถว", "Import {n} rows"),
    "imports_done": ("นำเข้า {n} แถวจาก {file} แล้ว (ข้อมูลซ้อม แยกจากคำตอบที่เก็บในระบบ)",
                     "Imported {n} rows from {file} (rehearsal data, kept apart from collected "
                     "answers)"),
    "imports_expired": ("หน้าตรวจสอบหมดอายุหรือไม่ถูกต้อง กรุณาอัปโหลดไฟล์อีกครั้ง",
                        "The preview expired or is not valid; upload the file again"),
    "imports_refused": ("นำเข้าไม่ได้ ไม่มีการบันทึกสิ่งใด:", "Cannot import; nothing was stored:"),
    "imports_nofile": ("กรุณาเลือกไฟล์ส่งออก (.csv หรือ .xlsx) และแบบวัด",
                       "Choose an export (.csv or .xlsx) and the instrument"),
    "imports_csrf": ("หน้านี้หมดอายุ กรุณาเปิดหน้านำเข้าใหม่แล้วอัปโหลดอีกครั้ง",
                     "This page expired; open the import page again and upload again"),
    "imports_too_large": ("ไฟล์ใหญ่เกิน {mb} MB", "The file is larger than {mb} MB"),
    "imports_section": ("ข้อมูลซ้อมที่นำเข้า", "Imported rehearsal data"),
    "imports_counts": ("เก็บในระบบ: IIT {ci} · EIT {ce} — นำเข้า (ซ้อม): IIT {ii} · EIT {ie}",
                       "Collected here: IIT {ci} · EIT {ce} — imported (rehearsal): IIT {ii} · "
                       "EIT {ie}"),
    "imports_results_note": (
        "ผลการประเมินคำนวณจากคำตอบที่เก็บในระบบนี้เท่านั้น ข้อมูลที่นำเข้าไม่ถูกนับรวม",
        "Results are computed from the answers collected here only; imported data is not "
        "counted."),
    "imports_none": ("ยังไม่มีข้อมูลนำเข้า", "Nothing imported yet"),
    "imports_link": ("นำเข้าข้อมูลซ้อม (Google Forms)", "Import rehearsal data (Google Forms)"),
    "imports_file_name": ("ไฟล์", "File"),
    "imports_by": ("โดย", "By"),
    "imports_when": ("เมื่อ", "When"),
    "imports_delete": ("ลบการนำเข้านี้", "Remove this import"),
    "imports_deleted": ("ลบการนำเข้า {file} ({n} แถว) แล้ว", "Removed the import {file} ({n} rows)"),
    "imports_not_found": ("ไม่พบการนำเข้านี้", "No such import"),
}
