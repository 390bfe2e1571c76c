"""Write files the way Google Forms exports a form's responses, from an instrument set's texts.

A Forms export ("Download responses (.csv)" or the linked Google Sheet saved as XLSX) has a
Timestamp column (ประทับเวลา in a Thai account), the respondent's email when the form collects
it (ที่อยู่อีเมล), one column per question headed by its title, one column per row of a grid
question headed ``title [row]``, and answers as the option labels.  The numbers and spacing the
form's author added to the titles are part of the headers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from questionnaires import InstrumentSet

HEADERS = {
    "th": {"timestamp": "ประทับเวลา", "email": "ที่อยู่อีเมล", "score": "คะแนน",
           "group": "กลุ่มผู้ตอบ"},
    "en": {"timestamp": "Timestamp", "email": "Email Address", "score": "Score",
           "group": "Respondent group"},
}


def code_frame(iset: InstrumentSet, instrument: str, n: int, *, seed: int = 7,
               blank: float = 0.05) -> pd.DataFrame:
    """Seeded responses as the code CSV has them (option codes, a few blanks, EIT groups)."""
    rng = np.random.default_rng(seed)
    data: dict[str, list] = {}
    if instrument == "EIT":
        groups = [g.code for g in iset.respondent_groups]
        data["respondent_group"] = [groups[k % 2] for k in range(n)]
    for column in iset.columns_for(instrument):
        options = [o.code for o in iset.item(iset.question(column).item).scale.options]
        values = rng.choice(options, size=n).astype(object)
        values[rng.random(n) < blank] = None
        data[column] = list(values)
    frame = pd.DataFrame(data)
    for column in iset.columns_for(instrument):
        frame[column] = frame[column].astype("Int64")
    return frame


def headers_for(iset: InstrumentSet, instrument: str, lang: str = "th") -> dict[str, str]:
    """Column code → the header a form built from the set's texts exports (numbered titles)."""
    out = {}
    for number, item in enumerate(iset.items_for(instrument), start=1):
        title = item.text_th if lang == "th" else item.text_en
        prefix = f"ข้อ {number} " if lang == "th" else f"{number}. "
        if item.sub_items:
            for q in item.sub_items:
                out[q.column] = f"{prefix}{title} [{q.text_th if lang == 'th' else q.text_en}]"
        else:
            out[item.code] = f"{prefix}{title}"
    return out


def forms_frame(iset: InstrumentSet, instrument: str, codes: pd.DataFrame, *,
                lang: str = "th", email: bool = True, quiz: bool = False,
                drop: tuple[str, ...] = (), unknown_label: tuple[int, str, str] | None = None
                ) -> pd.DataFrame:
    """Turn a code frame into what Google Forms exports for the same answers.

    ``drop``: question columns the form does not have.  ``unknown_label``: (row, column,
    text) puts a label no scale has into one cell.
    """
    names = HEADERS[lang]
    start = dt.datetime(2026, 11, 20, 9, 0, 0)
    stamps = [start + dt.timedelta(minutes=7 * k) for k in range(len(codes))]
    out: dict[str, list] = {
        names["timestamp"]: [(s.strftime("%Y/%m/%d %H:%M:%S") + " น. GMT+7") if lang == "th"
                             else s.strftime("%m/%d/%Y %H:%M:%S") for s in stamps]}
    if email:
        out[names["email"]] = [f"teacher{k}@school.example" for k in range(len(codes))]
    if quiz:
        out[names["score"]] = ["0 / 0"] * len(codes)
    if "respondent_group" in codes.columns:
        labels = {g.code: (g.label_th if lang == "th" else g.label_en)
                  for g in iset.respondent_groups}
        out[names["group"]] = [labels[g] for g in codes["respondent_group"]]
    headers = headers_for(iset, instrument, lang)
    for column in iset.columns_for(instrument):
        if column in drop:
            continue
        scale = iset.item(iset.question(column).item).scale
        label = {o.code: (o.label_th if lang == "th" else o.label_en) for o in scale.options}
        out[headers[column]] = ["" if pd.isna(v) else label[int(v)] for v in codes[column]]
    frame = pd.DataFrame(out)
    if unknown_label is not None:
        row, column, text = unknown_label
        frame.loc[row, headers[column]] = text
    return frame


def write_forms_export(path: Path, frame: pd.DataFrame) -> Path:
    """Write as Google Forms does: CSV in UTF-8 (no BOM), or an XLSX sheet."""
    path = Path(path)
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding="utf-8")
    return path


def write_codes(path: Path, codes: pd.DataFrame) -> Path:
    codes.to_csv(path, index=False)
    return path
