"""The audit view: past decisions searched and read exactly as signed (supervisors and
administrators)."""
