"""The run store's Alembic migrations (env.py, versions/), shipped inside the package.

``HEAD`` names the newest revision so that opening an up-to-date store needs no Alembic import;
a test keeps it equal to the head of ``versions/``. Add a migration → update ``HEAD``.
"""

HEAD = "0003"
