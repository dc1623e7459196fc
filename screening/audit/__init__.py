"""Audit cases: what auditors make of the flags screening raises (issue 4)."""
