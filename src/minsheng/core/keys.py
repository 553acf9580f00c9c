"""The range of the databases' keys.

A path such as ``/my/notices/<int:pk>/`` takes any number a visitor types; one past a 64-bit
integer cannot be compared with a key column (SQLite and psycopg raise OverflowError), so a view
that looks such a number up through a foreign key answers 404 first."""

MAX_KEY = 2**63 - 1
