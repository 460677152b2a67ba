"""Oversight reports: decision registers and statistics from the signed records."""
