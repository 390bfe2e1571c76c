"""Build tools run by a developer (never on a request): the report fonts' SARA AM glyph
(:mod:`.fonts`) and the report DOCX templates (:mod:`.docx_templates`).

Their outputs are committed; tests rebuild them and compare with the committed files.
"""
