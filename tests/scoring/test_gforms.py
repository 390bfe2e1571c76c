"""Google Forms exports: built from the instrument sets' own texts, they score as the code CSV."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from questionnaires import load_instrument_set
from scoring import assess
from scoring.gforms import (
    FormsExport,
    FormsExportError,
    Mapping,
    MappingError,
    column_letter,
    convert,
    looks_like_forms,
    normalise,
    parse_mapping,
)
from scoring.inputs import read_table, score_files
from scoring.report import result_to_dict
from survey_app.cli import main

from ..forms_exports import code_frame, forms_frame, headers_for, write_codes, write_forms_export

SETS = ("ita-2566", "ita-2569")


def scores(result) -> dict:
    return result_to_dict(result)


@pytest.mark.parametrize("set_id", SETS)
@pytest.mark.parametrize("lang,suffix", [("th", ".csv"), ("en", ".xlsx"), ("th", ".xlsx"),
                                         ("en", ".csv")])
def test_export_scores_as_the_code_csv(tmp_path, set_id, lang, suffix):
    iset = load_instrument_set(set_id)
    iit, eit = code_frame(iset, "IIT", 40, seed=1), code_frame(iset, "EIT", 35, seed=2)
    iit_codes = write_codes(tmp_path / "iit-codes.csv", iit)
    eit_codes = write_codes(tmp_path / "eit-codes.csv", eit)
    iit_forms = write_forms_export(tmp_path / f"iit-forms{suffix}",
                                   forms_frame(iset, "IIT", iit, lang=lang, quiz=True))
    eit_forms = write_forms_export(tmp_path / f"eit-forms{suffix}",
                                   forms_frame(iset, "EIT", eit, lang=lang))
    expected = score_files(iset, iit=iit_codes, eit=eit_codes, bootstrap=50, seed=3)
    got = score_files(iset, iit=iit_forms, eit=eit_forms, bootstrap=50, seed=3)
    assert scores(got) == scores(expected)
    assert got.indicators["1"].score is not None
    assert scores(got)["eit_groups"] == scores(expected)["eit_groups"]


@pytest.mark.parametrize("set_id", SETS)
def test_grid_columns_become_sub_items_and_a_missing_column_stays_blank(set_id):
    iset = load_instrument_set(set_id)
    codes = code_frame(iset, "IIT", 25, seed=4)
    missing = iset.columns_for("IIT")[1]
    result = convert(forms_frame(iset, "IIT", codes, drop=(missing,)), iset, "IIT")
    assert result.ok, [p.message() for p in result.problems]
    assert result.missing == (missing,)
    expected = codes.drop(columns=[missing])
    pd.testing.assert_frame_equal(result.frame, expected)
    # the same scores as the code CSV without that column
    assert scores(assess(iset, iit=result.frame, bootstrap=0)) == scores(
        assess(iset, iit=expected, bootstrap=0))
    if set_id == "ita-2566":  # i4 and i5 have the same grid rows (เงิน, ทรัพย์สิน …)
        by_target = {m.target: m for m in result.columns}
        assert by_target["i4.1"].how == by_target["i5.1"].how == "grid"
        assert by_target["i4.1"].header.endswith("[เงิน]")
        assert by_target["i5.1"].header.endswith("[เงิน]")
        assert by_target["i4.1"].header != by_target["i5.1"].header


def test_timestamp_email_and_quiz_score_are_dropped_and_never_kept():
    iset = load_instrument_set("ita-2566")
    frame = forms_frame(iset, "IIT", code_frame(iset, "IIT", 5), quiz=True)
    result = convert(frame, iset, "IIT")
    dropped = [m for m in result.columns if m.target == "drop"]
    assert [m.header for m in dropped] == ["ประทับเวลา", "ที่อยู่อีเมล", "คะแนน"]
    assert [m.letter for m in dropped] == ["A", "B", "C"]
    text = result.frame.to_csv() + result.mapping.to_toml() + result.mapping.to_csv()
    assert "@school.example" not in text and "GMT+7" not in text
    assert "ประทับเวลา" in result.mapping.to_toml()  # the header name only


def test_headers_match_across_spacing_punctuation_zero_width_and_numbering():
    iset = load_instrument_set("ita-2569")
    item = iset.item("i1")
    variants = [f"1. {item.text_th}", f"ข้อ 1 {item.text_th.replace(' ', '  ')}",
                f"ข้อที่ ๑) {item.text_th}\u200b?", item.text_th.replace(" ", ""),
                f"(1) {item.text_en.upper()}", "i1"]
    for header in variants:
        frame = pd.DataFrame({header: ["ไม่เป็นไปตามที่กำหนด", "As set: most", "3", None]})
        result = convert(frame, iset, "IIT")
        assert result.ok, (header, [p.message() for p in result.problems])
        assert result.frame["i1"].tolist() == [1, 6, 3, pd.NA]
    assert normalise("ข้อ 12. ก / ข") == normalise("กข")
    assert [column_letter(k) for k in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_every_problem_is_collected_with_header_letter_row_and_value():
    iset = load_instrument_set("ita-2566")
    codes = code_frame(iset, "IIT", 6)
    frame = forms_frame(iset, "IIT", codes, unknown_label=(2, "i2", "ค่อนข้างมาก"))
    headers = headers_for(iset, "IIT")
    frame.loc[4, headers["i7"]] = "ไม่แน่ใจ"
    frame.insert(3, "ท่านอยู่ฝ่ายใด", ["ก"] * len(frame))
    frame["1. " + iset.item("i2").text_th + " (ซ้ำ)"] = ["มาก"] * len(frame)
    result = convert(frame, iset, "IIT")
    messages = [p.message() for p in result.problems]
    assert not result.ok
    kinds = sorted(p.kind for p in result.problems)
    assert kinds == ["unknown_header", "unknown_header", "unknown_label", "unknown_label"]
    letters = {h: column_letter(k) for k, h in enumerate(frame.columns)}
    assert "column D 'ท่านอยู่ฝ่ายใด': no IIT question of ita-2566 has this text" in messages[0]
    assert any(m.startswith(f"row 4, column {letters[headers['i2']]} ") and
               "'ค่อนข้างมาก' is not an option of i2 (1 = Least or none, 2 = Little, 3 = Much, "
               "4 = Most)" in m for m in messages)
    assert any(m.startswith(f"row 6, column {letters[headers['i7']]} ") and "'ไม่แน่ใจ'" in m
               for m in messages)
    near = next(p for p in result.problems if p.header and "(ซ้ำ)" in p.header)
    assert "(closest: i2)" in near.message() and "ใกล้เคียงที่สุด: ข้อ i2" in near.message("th")
    th = [p.message("th") for p in result.problems]
    assert any("แถว 4, คอลัมน์" in m and "ไม่ใช่ตัวเลือกของข้อ i2" in m for m in th)
    # what did match is still there
    assert result.frame["i1.1"].tolist() == codes["i1.1"].tolist()


def test_duplicate_header_and_no_question_at_all():
    iset = load_instrument_set("ita-2566")
    text = iset.item("i2").text_th
    result = convert(pd.DataFrame({f"1. {text}": ["มาก"], f"2. {text}": ["น้อย"]}), iset, "IIT")
    assert [p.kind for p in result.problems] == ["duplicate_header"]
    message = result.problems[0].message()
    assert message.startswith(f"row 1, column B '2. {text[:40]}")  # long headers shortened
    assert message.endswith("…': matches i2, as column A does: map one of them in the "
                            "mapping file")
    empty = convert(pd.DataFrame({"Timestamp": ["x"]}), iset, "IIT")
    assert [p.message() for p in empty.problems] == ["no column is a question of IIT in ita-2566"]


def test_eit_group_column_and_an_unknown_group():
    iset = load_instrument_set("ita-2569")
    codes = code_frame(iset, "EIT", 8)
    frame = forms_frame(iset, "EIT", codes, lang="en")
    frame = frame.rename(columns={"Respondent group": "Who are you?"})  # found by its answers
    assert convert(frame, iset, "EIT").frame["respondent_group"].tolist() == \
        codes["respondent_group"].tolist()
    frame.loc[1, "Who are you?"] = "Alien"
    result = convert(frame, iset, "EIT")
    # not all answers are groups now: the column is unknown, named with its letter
    assert [p.kind for p in result.problems] == ["unknown_header"]
    frame = frame.rename(columns={"Who are you?": "กลุ่มผู้ตอบ"})
    result = convert(frame, iset, "EIT")
    assert [p.message() for p in result.problems] == [
        "row 3, column C 'กลุ่มผู้ตอบ': 'Alien' is not a respondent group (สถานศึกษา / โรงเรียน / "
        "School, ประชาชนทั่วไป / ผู้ปกครอง / Member of the public / parent, บริษัท / ภาคเอกชน / "
        "Private company, หน่วยงานของรัฐอื่น / Other state agency, อื่น ๆ / Other)"]


@pytest.mark.parametrize("suffix", [".toml", ".csv"])
def test_mapping_round_trip_resolves_what_did_not_match(tmp_path, suffix):
    iset = load_instrument_set("ita-2566")
    codes = code_frame(iset, "IIT", 12, blank=0)
    headers = headers_for(iset, "IIT")
    frame = forms_frame(iset, "IIT", codes)
    frame = frame.rename(columns={headers["i2"]: "ข้อ 2 (ปรับถ้อยคำ) ให้บริการเท่าเทียมกันไหม"})
    frame[headers["i7"]] = frame[headers["i7"]].replace({"มากที่สุด": "มากที่สุดค่ะ"})
    frame.insert(2, "หมายเหตุ", ["-"] * len(frame))
    first = convert(frame, iset, "IIT")
    assert not first.ok
    path = tmp_path / f"mapping{suffix}"
    first.mapping.write(path)
    written = parse_mapping(path.read_bytes(), name=path.name)
    assert written.columns["IIT"]["ประทับเวลา"] == "drop"
    assert written.columns["IIT"]["หมายเหตุ"] == ""
    assert written.columns["IIT"][headers["i1.1"]] == "i1.1"
    # the user fills in the blanks and passes the file back
    edited = written.columns["IIT"] | {"หมายเหตุ": "drop",
                                        "ข้อ 2 (ปรับถ้อยคำ) ให้บริการเท่าเทียมกันไหม": "i2"}
    labels = dict(written.labels["IIT"])
    assert labels[("i7", "มากที่สุดค่ะ")] == ""  # unmatched: scoped to its question, blank
    assert labels[("level4", "มากที่สุด")] == "4"  # matched: scoped to the scale
    labels[("i7", "มากที่สุดค่ะ")] = "4"
    mapping = Mapping(iset.id, {"IIT": edited}, {"IIT": labels})
    mapping.write(path)
    again = convert(frame, iset, "IIT", mapping=parse_mapping(path.read_bytes(), name=path.name))
    assert again.ok, [p.message() for p in again.problems]
    pd.testing.assert_frame_equal(again.frame, codes)


def test_mapping_files_that_cannot_be_read():
    with pytest.raises(MappingError, match=r"m.toml: is not valid TOML"):
        parse_mapping("[IIT.columns\n", name="m.toml")
    with pytest.raises(MappingError) as err:
        parse_mapping("[XYZ]\na = 1\n[IIT.columns]\nx = 3\n[IIT.other]\n", name="m.toml")
    assert err.value.problems == [
        "[XYZ]: expected [IIT.columns], [IIT.labels.\"scope\"], or EIT",
        "[IIT.columns] 'x': the code must be text", "[IIT.other]: expected columns or labels"]
    with pytest.raises(MappingError, match=r"row 1: the header must be"):
        parse_mapping("a,b\n", name="m.csv")
    with pytest.raises(MappingError) as err:
        parse_mapping("instrument,kind,text,code,scope\nOIT,column,x,y,\nIIT,row,x,y,\n",
                      name="m.csv")
    assert err.value.problems == ["row 2: instrument must be IIT or EIT, not 'OIT'",
                                  "row 3: kind must be column or label, not 'row'"]
    with pytest.raises(MappingError, match="is not UTF-8"):
        parse_mapping(b"\xff\xfe", name="m.csv")
    iset = load_instrument_set("ita-2566")
    bad = Mapping("", {"IIT": {"Q": "i99", "R": "respondent_group"}})
    result = convert(pd.DataFrame({"Q": ["มาก"], "R": ["x"]}), iset, "IIT", mapping=bad)
    assert [p.message() for p in result.problems] == [
        "row 1, column A 'Q': the mapping gives 'i99', which is not a question of IIT in "
        "ita-2566 (nor drop, respondent_group)",
        "row 1, column B 'R': the mapping names a respondent group column, which only EIT has",
    ]


def test_detection_by_header_and_the_forced_format(tmp_path):
    iset = load_instrument_set("ita-2566")
    codes = code_frame(iset, "IIT", 10)
    assert not looks_like_forms(codes.columns, iset, "IIT")
    forms = forms_frame(iset, "IIT", codes, email=False)
    assert looks_like_forms(forms.columns, iset, "IIT")
    no_stamp = forms.drop(columns=["ประทับเวลา"])
    assert looks_like_forms(no_stamp.columns, iset, "IIT")
    other_year = load_instrument_set("ita-2569").columns_for("IIT")  # codes, not this set's
    assert not looks_like_forms(["i1.1", "i1.2", "i3"], load_instrument_set("ita-2569"), "IIT")
    assert not looks_like_forms(other_year, iset, "IIT")
    path = write_forms_export(tmp_path / "f.csv", forms)
    with pytest.raises(ValueError, match="unknown column"):  # read as the code CSV
        score_files(iset, iit=FormsExport(path, format_in="codes"), bootstrap=0)
    assert scores(score_files(iset, iit=FormsExport(path, format_in="gforms"), bootstrap=0)) \
        == scores(assess(iset, iit=codes, bootstrap=0))
    frame = read_table(path, dtype=str)
    assert frame.columns[0] == "ประทับเวลา"


def test_score_files_raises_every_problem(tmp_path):
    iset = load_instrument_set("ita-2569")
    codes = code_frame(iset, "IIT", 5)
    frame = forms_frame(iset, "IIT", codes, unknown_label=(0, "i1", "???"))
    frame.loc[3, headers_for(iset, "IIT")["i4"]] = "บ่อยมาก"
    path = write_forms_export(tmp_path / "rehearsal.csv", frame)
    with pytest.raises(FormsExportError) as err:
        score_files(iset, iit=path, bootstrap=0)
    assert len(err.value.lines) == 2
    assert err.value.lines[0].startswith(f"{path}: row 2, column C ")
    assert err.value.lines[1].startswith(f"{path}: row 5, column F ")


# -- the CLI ------------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(main, ["score", *map(str, args)])


def test_cli_scores_an_export_like_the_code_csv(tmp_path):
    iset = load_instrument_set("ita-2569")
    codes = code_frame(iset, "EIT", 30, seed=9)
    forms = write_forms_export(tmp_path / "eit.xlsx", forms_frame(iset, "EIT", codes))
    plain = write_codes(tmp_path / "eit.csv", codes)
    a = run("--set", "ita-2569", "--eit", forms, "--format", "json", "--bootstrap", "20")
    b = run("--set", "ita-2569", "--eit", plain, "--format", "json", "--bootstrap", "20")
    assert a.exit_code == 0, a.output
    assert a.output == b.output
    forced = run("--set", "ita-2569", "--eit", forms, "--format-in", "gforms", "--format", "json",
                 "--bootstrap", "20")
    assert forced.output == b.output


def test_cli_errors_one_line_each_then_mapping_round_trip(tmp_path):
    iset = load_instrument_set("ita-2566")
    codes = code_frame(iset, "IIT", 10, blank=0)
    headers = headers_for(iset, "IIT")
    frame = forms_frame(iset, "IIT", codes, unknown_label=(1, "i2", "ค่อนข้างมาก"))
    frame = frame.rename(columns={headers["i3.1"]: "มุ่งผลงาน?"})
    path = write_forms_export(tmp_path / "iit.csv", frame)
    result = run("--iit", path)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"Error: {path}: ") for line in lines)
    assert "Traceback" not in result.output
    mapping = tmp_path / "mapping.toml"
    written = run("--iit", path, "--write-mapping", mapping)
    assert written.exit_code == 1
    assert f"wrote the mapping to {mapping}" in written.output
    text = mapping.read_text(encoding="utf-8")
    assert '"มุ่งผลงาน?" = ""' in text and '"ค่อนข้างมาก" = ""' in text
    mapping.write_text(text.replace('"มุ่งผลงาน?" = ""', '"มุ่งผลงาน?" = "i3.1"')
                       .replace('"ค่อนข้างมาก" = ""', '"ค่อนข้างมาก" = "3"'), encoding="utf-8")
    expected_codes = codes.copy()
    expected_codes.loc[1, "i2"] = 3
    ok = run("--iit", path, "--mapping", mapping, "--format", "json", "--bootstrap", "0")
    plain = run("--iit", write_codes(tmp_path / "codes.csv", expected_codes), "--format", "json",
                "--bootstrap", "0")
    assert ok.exit_code == 0, ok.output
    assert ok.output == plain.output
    # a broken mapping file: one line, exit 1
    bad = tmp_path / "bad.toml"
    bad.write_text("[IIT.columns\n", encoding="utf-8")
    broken = run("--iit", path, "--mapping", bad)
    assert broken.exit_code == 1 and broken.output.startswith(f"Error: {bad}: is not valid TOML")
    assert "Traceback" not in broken.output
    # --write-mapping on a code CSV only
    usage = run("--iit", write_codes(tmp_path / "c.csv", codes), "--write-mapping", mapping)
    assert usage.exit_code == 2 and "no --iit/--eit file is a Google Forms export" in usage.output


def test_the_manual_mapping_example_reads_and_applies():
    import re
    from pathlib import Path

    manual = (Path(__file__).parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(set = \"ita-2566\".*?)```", manual, re.S).group(1)
    mapping = parse_mapping(block, name="mapping.toml")
    iset = load_instrument_set("ita-2566")
    frame = pd.DataFrame({"ประทับเวลา": ["2026/11/20 9:00:00"], "ข้อ 7 (ถ้อยคำของโรงเรียน)":
                          ["มากที่สุด"], headers_for(iset, "IIT")["i2"]: ["มากค่ะ"]})
    result = convert(frame, iset, "IIT", mapping=mapping)
    assert result.ok and result.frame.iloc[0].to_dict() == {"i2": 3, "i7": 4}


def test_one_message_per_value_and_column_naming_its_rows_and_bad_mapped_codes():
    iset = load_instrument_set("ita-2569")
    codes = code_frame(iset, "IIT", 12, blank=0)
    frame = forms_frame(iset, "IIT", codes)
    header = headers_for(iset, "IIT")["i1"]
    frame[header] = ["ไม่แน่ใจ"] * 8 + ["เป็นไปตามที่กำหนดมาก"] * 3 + ["-"]
    result = convert(frame, iset, "IIT")
    messages = [p.message() for p in result.problems]
    assert len(messages) == 2
    assert messages[0].startswith("rows 2, 3, 4, 5, 6 and 3 more, column C ")
    assert messages[1].startswith("row 13, column C ") and "'-' is not an option of i1" in messages[1]
    assert result.problems[0].rows == tuple(range(2, 10))
    assert result.problems[0].message("th").startswith("แถว 2, 3, 4, 5, 6 และอีก 3 แถว, คอลัมน์ C ")
    bad = Mapping(iset.id, {}, {"IIT": {("i1", "ไม่แน่ใจ"): "9", ("", "-"): "1"}})
    again = convert(frame, iset, "IIT", mapping=bad)
    assert [p.message() for p in again.problems] == [
        f"rows 2, 3, 4, 5, 6 and 3 more, column C '{messages[0].split(chr(39))[1]}': the mapping "
        "gives 'ไม่แน่ใจ' the option code '9', which i1 does not have (1 = Not as set, 2 = As set: "
        "very little, 3 = As set: a little, 4 = As set: fairly much, 5 = As set: much, 6 = As "
        "set: most)"]
    assert again.frame["i1"].tolist()[-4:] == [5, 5, 5, 1]


def test_group_labels_are_mapped_under_the_respondent_group_scope(tmp_path):
    iset = load_instrument_set("ita-2566")
    codes = code_frame(iset, "EIT", 6)
    frame = forms_frame(iset, "EIT", codes)
    frame["กลุ่มผู้ตอบ"] = frame["กลุ่มผู้ตอบ"].replace({"สถานศึกษา / โรงเรียน": "ครู"})
    first = convert(frame, iset, "EIT")
    assert {p.kind for p in first.problems} == {"unknown_group"}
    path = tmp_path / "m.toml"
    first.mapping.write(path)
    text = path.read_text(encoding="utf-8")
    assert '[EIT.labels."respondent_group"]' in text and '"ครู" = ""' in text
    path.write_text(text.replace('"ครู" = ""', '"ครู" = "school"'), encoding="utf-8")
    again = convert(frame, iset, "EIT", mapping=parse_mapping(path.read_bytes(), name="m.toml"))
    assert again.ok
    assert again.frame["respondent_group"].tolist() == codes["respondent_group"].tolist()
