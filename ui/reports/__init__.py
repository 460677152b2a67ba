"""The Reports area: oversight reports previewed, charted and exported signed."""
