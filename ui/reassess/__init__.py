"""Licences to reassess (ATT Art 7(7)): the list, the new evidence and the signed acts."""
