"""Throwaway PostgreSQL databases for the benches: which server, create, always drop."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

PG_DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def admin_url(bench_db: str) -> tuple[str, bool]:
    """The server to create the bench databases on, and whether the user asked for it.

    BENCH_DATABASE_URL may name one of our bench databases; those get dropped, so we
    connect to `postgres` on that server instead.
    """
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        return PG_DEFAULT_URL, False
    if urlsplit(url).path.strip("/").startswith(bench_db):
        url = urlsplit(url)._replace(path="/postgres").geturl()
    return url, True


def version(admin_url: str) -> str | None:
    """The server's version, None when nothing answers there."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(admin_url, connect_timeout=3, autocommit=True) as db:
            row = db.execute("SHOW server_version").fetchone()
    except psycopg.OperationalError:
        return None
    return str(row[0]).split()[0] if row else "?"


def server(bench_db: str) -> tuple[str, str | None]:
    """(admin URL, PostgreSQL version or None when nothing answers). Raises when the user
    named a server with BENCH_DATABASE_URL and it does not answer: a silent skip would lie."""
    admin, asked = admin_url(bench_db)
    found = version(admin)
    if found is None and asked:
        raise RuntimeError("BENCH_DATABASE_URL is set but PostgreSQL does not answer there.")
    return admin, found


@contextmanager
def databases(admin: str, names: list[str], template: str | None = None) -> Iterator[list[str]]:
    """Fresh databases (copies of `template`, or empty), dropped on the way out."""
    import psycopg
    from psycopg import sql

    def drop(db: "psycopg.Connection[object]") -> None:
        for name in names:
            statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            db.execute(statement.format(sql.Identifier(name)))

    with psycopg.connect(admin, autocommit=True) as db:
        drop(db)
        for name in names:
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            db.execute(create)
    try:
        yield [urlsplit(admin)._replace(path=f"/{name}").geturl() for name in names]
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            drop(db)


@contextmanager
def database(admin: str, name: str, template: str | None = None) -> Iterator[str]:
    """One fresh database, dropped on the way out."""
    with databases(admin, [name], template) as (url,):
        yield url
