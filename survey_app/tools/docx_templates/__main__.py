"""``python -m survey_app.tools.docx_templates``: write the three DOCX templates."""

from . import BUILDERS, build_all

if __name__ == "__main__":
    build_all()
    print("wrote " + ", ".join(str(m.OUT) for m in BUILDERS.values()))
