"""The catalogue, kept in SQLite. One connection per call: the server handles requests on threads."""
import os
import sqlite3
from contextlib import closing

SCHEMA = """
CREATE TABLE IF NOT EXISTS books (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    title  TEXT    NOT NULL,
    author TEXT    NOT NULL,
    year   INTEGER,
    isbn   TEXT    UNIQUE
)
"""


class DuplicateIsbn(Exception):
    pass


class Store:
    def __init__(self, path):
        self.path = path
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        with closing(self._connect()) as connection, connection:
            connection.execute(SCHEMA)

    def _connect(self):
        connection = sqlite3.connect(self.path, timeout=5)
        connection.row_factory = sqlite3.Row
        return connection

    def is_healthy(self):
        try:
            with closing(self._connect()) as connection:
                connection.execute("SELECT 1 FROM books LIMIT 1").fetchall()
            return True
        except sqlite3.Error:
            return False

    def list_books(self):
        with closing(self._connect()) as connection:
            rows = connection.execute("SELECT id, title, author, year, isbn FROM books ORDER BY id").fetchall()
        return [dict(row) for row in rows]

    def get_book(self, book_id):
        with closing(self._connect()) as connection:
            row = connection.execute(
                "SELECT id, title, author, year, isbn FROM books WHERE id = ?", (book_id,)
            ).fetchone()
        return dict(row) if row else None

    def add_book(self, title, author, year=None, isbn=None):
        try:
            with closing(self._connect()) as connection, connection:
                cursor = connection.execute(
                    "INSERT INTO books (title, author, year, isbn) VALUES (?, ?, ?, ?)",
                    (title, author, year, isbn),
                )
                book_id = cursor.lastrowid
        except sqlite3.IntegrityError as error:
            raise DuplicateIsbn(isbn) from error
        return self.get_book(book_id)
