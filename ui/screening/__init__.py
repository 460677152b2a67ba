"""The Screening area and the case's screening tab (issue 8)."""
