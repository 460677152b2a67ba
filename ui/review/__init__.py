"""The supervisor's countersignature queue."""
