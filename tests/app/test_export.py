"""responses_frame_by_id and the responses CSV: what the console scores and ``ita score`` reads."""

from __future__ import annotations

import pandas as pd
import pytest

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
    assert list(eit["respondent_group"]) == ["private", "school"]
    assert eit.loc[0, "e1"] == 4 and eit.loc[1, "e1"] == 1
    assert eit.loc[0, "e4.1"] == 0  # yes/no keeps its own codes (4 is not one: 0 was sent)


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
    from survey_app.models import Answer

    with app.app_context():
        from survey_app.models import Assessment
        from survey_app.services.responses import store_eit_response

        assessment = db.session.get(Assessment, setup.assessment_id)
        store_eit_response(db.session, assessment, "public", full_answers("EIT", option=3),
                           submitted_on=pd.Timestamp("2026-11-01").date())
        db.session.query(Answer).filter(Answer.question == "e15").delete()
        db.session.commit()
        frame = responses_frame_by_id(db.session, setup.assessment_id, "EIT")
        csv = "".join(iter_responses_csv(db.session, setup.assessment_id, "EIT")).lstrip("\ufeff")
    assert frame["e15"].isna().all()
    assert csv.splitlines()[1].endswith(",3,,2026-11-01")
