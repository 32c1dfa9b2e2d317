"""SQLAlchemy storage for SQLite and PostgreSQL: the only place that knows SQL."""
