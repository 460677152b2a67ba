"""Rationale and oversight documents (reportlab, openpyxl) and their signatures.

Empty until the signed-documents issue: documents are rendered from decision snapshots,
which the decisions issue introduces.
"""
