"""responses_frame_by_id and the responses CSV: what the console scores and ``ita score`` reads."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text as sa_text

from questionnaires import load_instrument_set
from survey_app.extensions import db
from survey_app.services.exports import iter_responses_csv, responses_frame_by_id

from .conftest import close_and_mix, full_answers


def test_frame_columns_and_dtypes(app, respondent, setup):
    respondent.submit_eit(full_answers("EIT", option=4), group="private")
    respondent.submit_eit(full_answers("EIT", option=1), group="school")
    ticket = respondent.start_iit(setup.codes[0])
    respondent.submit_iit(ticket, full_answers("IIT", option=2))
    close_and_mix(app, setup.assessment_id)  # a single IIT ballot reaches the results at close
    iset = load_instrument_set("ita-2566")
    with app.app_context():
        eit = responses_frame_by_id(db.session, setup.assessment_id, "EIT")
        iit = responses_frame_by_id(db.session, setup.assessment_id, "IIT")
    assert list(eit.columns) == ["respondent_group", *iset.columns_for("EIT"), "submitted_on"]
    assert list(iit.columns) == [*iset.columns_for("IIT"), "submitted_on"]
    assert len(eit) == 2 and len(iit) == 1
    assert all(str(eit[c].dtype) == "Int64" for c in iset.columns_for("EIT"))
    # published at the close in a shuffled order: find each row by its group
    assert sorted(eit["respondent_group"]) == ["private", "school"]
    private = eit.set_index("respondent_group").loc["private"]
    assert private["e1"] == 4 and eit.set_index("respondent_group").loc["school", "e1"] == 1
    assert private["e4.1"] == 0  # yes/no keeps its own codes (4 is not one: 0 was sent)


def test_empty_frame_has_the_columns(app, setup):
    with app.app_context():
        frame = responses_frame_by_id(db.session, setup.assessment_id, "IIT")
        csv = "".join(iter_responses_csv(db.session, setup.assessment_id, "IIT"))
    assert len(frame) == 0
    assert list(frame.columns)[-1] == "submitted_on"
    assert csv.startswith("\ufeffi1.1,i1.2,")


def test_bad_arguments(app, setup):
    with app.app_context():
        with pytest.raises(ValueError, match="IIT or EIT"):
            responses_frame_by_id(db.session, setup.assessment_id, "OIT")
        with pytest.raises(LookupError):
            responses_frame_by_id(db.session, 12345, "IIT")


def test_blank_cells_for_missing_answers(app, setup):
    """Rows stored before a definition gained a question export blanks, not zeros."""
    import sqlalchemy as sa

    from survey_app.models import Assessment, Response, ResponseLayout
    from survey_app.services.responses import store_eit_response

    with app.app_context():
        assessment = db.session.get(Assessment, setup.assessment_id)
        store_eit_response(db.session, assessment, "public", full_answers("EIT", option=3),
                           submitted_on=pd.Timestamp("2026-11-01").date())
        # As stored before e15 existed: the layout and the row without its byte.
        layout = db.session.get(ResponseLayout, (setup.assessment_id, "EIT"))
        columns = layout.questions.split()
        k = columns.index("e15")
        layout.questions = " ".join(columns[:k] + columns[k + 1:])
        row = db.session.scalars(sa.select(Response)).one()
        row.answers = row.answers[:k] + row.answers[k + 1:]
        db.session.commit()
        close_and_mix(app, setup.assessment_id)  # published at the close
        frame = responses_frame_by_id(db.session, setup.assessment_id, "EIT")
        csv = "".join(iter_responses_csv(db.session, setup.assessment_id, "EIT")).lstrip("\ufeff")
    assert frame["e15"].isna().all()
    assert csv.splitlines()[1].endswith(",3,,2026-11-01")


def test_a_layout_grows_and_earlier_rows_read_blank_in_its_new_columns(app, setup):
    """A question the layout lacks is appended; shorter (earlier) rows are blank there."""
    from survey_app.models import Assessment
    from survey_app.services.compact import layout_for, stored_layout
    from survey_app.services.responses import store_eit_response

    with app.app_context():
        assessment = db.session.get(Assessment, setup.assessment_id)
        connection = db.session.connection()
        layout_for(connection, assessment.id, "EIT", ["e2", "e1"])  # an old, partial layout
        db.session.execute(sa_text("INSERT INTO response (assessment_id, instrument, "
                                   "submitted_on, respondent_group, answers) VALUES "
                                   "(:a, 'EIT', '2026-11-01', 'school', :b)"),
                           {"a": assessment.id, "b": bytes([1, 2])})
        store_eit_response(db.session, assessment, "public", full_answers("EIT", option=4),
                           submitted_on=pd.Timestamp("2026-11-02").date())
        grown = stored_layout(db.session.connection(), assessment.id, "EIT")
        db.session.commit()
        close_and_mix(app, setup.assessment_id)  # published at the close, in a shuffled order
        frame = responses_frame_by_id(db.session, setup.assessment_id, "EIT")
        text = "".join(iter_responses_csv(db.session, setup.assessment_id, "EIT"))
    iset = load_instrument_set("ita-2566")
    assert grown[:2] == ("e2", "e1") and set(grown) == set(iset.columns_for("EIT"))
    old = frame.index[frame["respondent_group"] == "school"][0]
    new = frame.index[frame["respondent_group"] == "public"][0]
    assert (frame.loc[old, "e1"], frame.loc[old, "e2"]) == (2, 1)
    assert frame.drop(columns=["e1", "e2"]).loc[old].iloc[1:-1].isna().all()
    assert frame.loc[new, "e1"] == 4
    first = next(line for line in text.lstrip("\ufeff").splitlines()[1:]
                 if line.startswith("school")).split(",")
    assert first[:3] == ["school", "2", "1"] and set(first[3:-1]) == {""}
    assert first[-1] == "2026-11-02"  # the day of the batch's newest answer


def test_the_vectorised_csv_writes_what_csv_writer_writes():
    """Every option code, blanks, and groups needing quotes or neutralising, byte for byte."""
    import datetime as dt

    import numpy as np

    from survey_app.services.compact import BLANK
    from survey_app.services.exports import _csv_batch, _csv_text, _values, neutralise

    rng = np.random.default_rng(1)
    codes = rng.integers(0, 256, (400, 7)).astype(np.uint8)
    codes[:, 0] = np.arange(400) % 256  # every byte, BLANK included
    assert (codes == BLANK).any()
    groups = [["school", "a,b", 'say "x"', "=1+1", "-x", "ผู้ปกครอง", "", None][k % 8]
              for k in range(400)]
    days = [dt.date(2026, 11, 1 + k % 30).isoformat() for k in range(400)]
    expected = _csv_text(([neutralise(g), *row, d]
                          for g, row, d in zip(groups, _values(codes), days, strict=True)),
                         neutralised=True)
    assert _csv_batch(groups, days, codes) == expected
    iit = _csv_text(([*row, d] for row, d in zip(_values(codes), days,
                                                              strict=True)), neutralised=True)
    assert _csv_batch(None, days, codes) == iit


def test_small_pages_stream_every_response_once(app, respondent, setup):
    for option in (1, 2, 3, 4, 1):
        respondent.submit_eit(full_answers("EIT", option=option), group="public")
    close_and_mix(app, setup.assessment_id)  # published (in a shuffled order)
    with app.app_context():
        paged = "".join(iter_responses_csv(db.session, setup.assessment_id, "EIT", batch=2))
        whole = "".join(iter_responses_csv(db.session, setup.assessment_id, "EIT", batch=100))
        frame = responses_frame_by_id(db.session, setup.assessment_id, "EIT")
    assert paged == whole and len(paged.splitlines()) == 6
    assert sorted(frame["e1"]) == [1, 1, 2, 3, 4]
