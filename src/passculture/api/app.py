"""Internal JSON API (health for now; the youth app API grows here)."""

from django.db import connection
from ninja import NinjaAPI, Schema

api = NinjaAPI(
    title="passculture — API interne", version="1", urls_namespace="api-app", docs_url="/docs"
)


class Health(Schema):
    status: str
    database: bool


@api.get("/health", response=Health, summary="État du service")
def health(request) -> Health:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        ok = cursor.fetchone() == (1,)
    return Health(status="ok" if ok else "degraded", database=ok)
