"""ADAGE-style server API (/api/adage/v1/): the ministry's tool for school outings."""
