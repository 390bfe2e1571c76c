"""The admin console: accounts, assessments, codes, OIT checklist, results, exports, reports."""
