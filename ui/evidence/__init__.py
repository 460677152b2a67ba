"""The evidence window: search, filter, read, add, edit, import and chart the evidence base."""
