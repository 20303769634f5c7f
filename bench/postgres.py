"""The PostgreSQL database a benchmark runs in: created on first use, never dropped."""

from urllib.parse import urlsplit, urlunsplit


class PostgresUnavailableError(Exception):
    """The URL is not PostgreSQL, or the server does not answer."""


def ensure_postgres_database(url: str) -> None:
    """Creates the database named in ``url`` if it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise PostgresUnavailableError(
            f"the bench needs PostgreSQL; DATABASE_URL scheme is {parts.scheme!r}"
        )
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    except psycopg.OperationalError as error:
        raise PostgresUnavailableError(
            f"cannot reach PostgreSQL at {parts.hostname}:{parts.port or 5432}: "
            f"{str(error).strip().splitlines()[0]}"
        ) from error
