"""SQLAlchemy 2 async models, repositories, Alembic migrations."""
