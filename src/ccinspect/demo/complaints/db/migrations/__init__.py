"""The demo complaint store's Alembic migrations (env.py, versions/), shipped inside the package."""
