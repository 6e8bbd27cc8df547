"""JSON API of the youth app, version 1 (`/api/app/v1/`): what a mobile app needs.

Bearer tokens (signed, 30 days), the young person's profile and credit, public offers,
booking and cancelling. Field names are camelCase; errors are `{"code", "message"}`.
"""
