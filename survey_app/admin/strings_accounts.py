"""UI strings of account management and link rotation: key → (Thai, English)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # one's own password
    "nav_password": ("เปลี่ยนรหัสผ่าน", "Change password"),
    "password_change_title": ("เปลี่ยนรหัสผ่าน", "Change your password"),
    "password_must_change": (
        "บัญชีนี้ใช้รหัสผ่านชั่วคราว กรุณาตั้งรหัสผ่านใหม่ของท่านก่อนใช้งานต่อ",
        "This account has a temporary password: choose your own before you continue.",
    ),
    "current_password": ("รหัสผ่านปัจจุบัน", "Current password"),
    "new_password": ("รหัสผ่านใหม่", "New password"),
    "confirm_password": ("ยืนยันรหัสผ่านใหม่", "Confirm the new password"),
    "password_confirm_mismatch": ("รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน",
                                  "The two new passwords differ"),
    "password_changed": (
        "เปลี่ยนรหัสผ่านแล้ว การเข้าสู่ระบบอื่นของบัญชีนี้สิ้นสุดลงแล้ว",
        "Password changed; this account's other sign-ins have ended.",
    ),
    "password_too_short": ("รหัสผ่านต้องมีอย่างน้อย {n} ตัวอักษร",
                           "The password must have at least {n} characters"),
    "password_too_simple": ("รหัสผ่านง่ายเกินไป", "The password is too simple"),
    "password_current_wrong": ("รหัสผ่านปัจจุบันไม่ถูกต้อง", "The current password is wrong"),
    "password_same": ("รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านปัจจุบัน",
                      "The new password must differ from the current one"),
    # managing another account
    "manage": ("จัดการ", "Manage"),
    "user_manage_title": ("จัดการบัญชี {username}", "Manage account {username}"),
    "must_change_flag": ("ต้องเปลี่ยนรหัสผ่าน", "must change password"),
    "inactive": ("ระงับแล้ว", "deactivated"),
    "role_and_agency": ("บทบาทและหน่วยงาน", "Role and agency"),
    "save_role": ("บันทึกบทบาท", "Save role"),
    "role_changed": ("เปลี่ยนบทบาทของ {username} แล้ว", "Role of {username} changed"),
    "reset_password": ("ตั้งรหัสผ่านชั่วคราว", "Set a temporary password"),
    "reset_password_help": (
        "ระบบจะสร้างรหัสผ่านชั่วคราวและแสดงเพียงครั้งเดียว เจ้าของบัญชีต้องตั้งรหัสผ่านใหม่เมื่อเข้าสู่ระบบครั้งแรก "
        "และการเข้าสู่ระบบเดิมของบัญชีนี้จะสิ้นสุดลง",
        "A temporary password is made and shown once. The account's owner must choose a new "
        "one at the next sign-in; the account's current sign-ins end.",
    ),
    "temporary_password_title": ("รหัสผ่านชั่วคราวของ {username}",
                                 "Temporary password of {username}"),
    "temporary_password_body": (
        "แจ้งรหัสผ่านนี้แก่เจ้าของบัญชีโดยตรง รหัสนี้แสดงเพียงครั้งเดียวและไม่ได้บันทึกไว้ที่ใด "
        "เมื่อเข้าสู่ระบบ เจ้าของบัญชีจะต้องตั้งรหัสผ่านใหม่ของตนเอง",
        "Give this password to the account's owner in person. It is shown only this once and "
        "stored nowhere; at sign-in the owner must choose their own.",
    ),
    "back_to_users": ("กลับไปหน้าบัญชีผู้ใช้", "Back to the accounts"),
    "deactivate": ("ระงับบัญชี", "Deactivate"),
    "activate": ("เปิดใช้บัญชีอีกครั้ง", "Reactivate"),
    "deactivate_help": (
        "บัญชีที่ถูกระงับเข้าสู่ระบบไม่ได้ และการเข้าสู่ระบบที่ค้างอยู่จะสิ้นสุดทันที",
        "A deactivated account cannot sign in, and its open sign-ins end at once.",
    ),
    "user_deactivated": ("ระงับบัญชี {username} แล้ว", "Account {username} deactivated"),
    "user_activated": ("เปิดใช้บัญชี {username} แล้ว", "Account {username} reactivated"),
    "account_not_yours": ("บัญชีหรือหน่วยงานนี้อยู่นอกขอบเขตของท่าน",
                          "That account or agency is outside your scope"),
    "account_self": (
        "ท่านระงับบัญชีหรือเปลี่ยนบทบาทของตนเองไม่ได้ กรุณาให้ผู้ดูแลอีกท่านดำเนินการ",
        "You cannot deactivate your own account or change its role; ask another admin.",
    ),
    "account_self_password": ("เปลี่ยนรหัสผ่านของตนเองที่หน้าเปลี่ยนรหัสผ่าน",
                              "Change your own password on the change-password page"),
    "account_last_system_admin": (
        "{username} เป็นผู้ดูแลระบบคนสุดท้ายที่ใช้งานอยู่ ต้องมีผู้ดูแลระบบอย่างน้อยหนึ่งคน",
        "{username} is the last active system admin; the console needs at least one.",
    ),
    "account_role_not_allowed": ("เฉพาะผู้ดูแลระบบเท่านั้นที่แต่งตั้งผู้ดูแลระบบได้",
                                 "Only a system admin can make a system admin"),
    "account_needs_agency": ("บทบาทนี้ต้องระบุหน่วยงาน", "This role needs an agency"),
    # rotating the public link
    "rotate_link": ("สร้างลิงก์สาธารณะใหม่", "Make a new public link"),
    "rotate_link_help": (
        "ใช้เมื่อลิงก์หรือคิวอาร์โค้ดเดิมรั่วไหล ลิงก์เดิม (ทั้ง IIT และ EIT) จะใช้ตอบไม่ได้อีก "
        "ต้องพิมพ์โปสเตอร์และบัตรรหัสใหม่ คำตอบที่ได้รับแล้วยังอยู่ครบ",
        "Use this when the old link or QR code has leaked. The old links (IIT and EIT) stop "
        "taking answers; print the poster and code slips again. Answers already given stay.",
    ),
    "link_rotated": ("สร้างลิงก์ใหม่แล้ว ลิงก์เดิมใช้ตอบไม่ได้อีก กรุณาพิมพ์โปสเตอร์ใหม่",
                     "New link made; the old one no longer takes answers. Print the new poster."),
    # code batches
    "batch_name_invalid": (
        "ชื่อชุดรหัสใช้ได้เฉพาะตัวอักษร (ไทยหรืออังกฤษ) ตัวเลข ช่องว่าง และ . _ - / ( ) ไม่เกิน 40 ตัว "
        "ยังไม่ได้สร้างรหัส",
        "A batch name may have letters (Thai or English), digits, spaces and . _ - / ( ), at "
        "most 40; no codes were made.",
    ),
    "codes_form_stale": ("แบบฟอร์มหมดอายุ กรุณาสร้างรหัสจากหน้านี้อีกครั้ง ยังไม่ได้สร้างรหัส",
                         "The form has expired; make the codes again from this page. No codes "
                         "were made."),
    "codes_already_issued": (
        "รหัสชุด {batch} สร้างและแสดงไปแล้ว ระบบไม่สร้างซ้ำเมื่อโหลดหน้าใหม่ "
        "หากรหัสชุดนั้นสูญหาย ให้ยกเลิกชุดนั้นแล้วสร้างชุดใหม่",
        "The codes of batch {batch} were already made and shown; reloading makes none. If "
        "they were lost, revoke that batch and make a new one.",
    ),
    # OIT checklist download
    "oit_download": ("ดาวน์โหลดแบบตรวจ OIT (XLSX)", "Download the OIT checklist (XLSX)"),
    "oit_due": ("รอบการเผยแพร่", "Due"),
    "oit_url_invalid": (
        "ข้อ {item}: ลิงก์หลักฐานไม่ถูกต้อง: {url} (ใส่ลิงก์เว็บ เช่น https://example.go.th/page "
        "บรรทัดละหนึ่งลิงก์)",
        "{item}: not a valid evidence link: {url} (type web links such as "
        "https://example.go.th/page, one per line)",
    ),
}
