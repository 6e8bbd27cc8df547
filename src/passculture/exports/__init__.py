"""Spreadsheet exports: a registry of exporters, three formats, background jobs."""
