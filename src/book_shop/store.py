"""The catalogue, kept in SQLite. One connection per call: the server handles requests on threads.

Several processes share the file: every replica of the production Deployment mounts the same
volume, and old and new pods overlap during each rollout. So the database runs in WAL mode
(readers never block the writer, and the writer never blocks readers), every connection waits
for a lock up to BUSY_TIMEOUT, and an operation that SQLite still answers "busy" or "locked"
(as it may while another process opens or recovers the file) is tried again a few times.
One node only: SQLite's locks need one kernel, so past one node the catalogue needs a server
database (README: "When production grows past one node").
"""
import os
import sqlite3
import time
from contextlib import closing

BUSY_TIMEOUT = 10  # seconds a connection waits for another process's lock
ATTEMPTS = 5  # of an operation that SQLite answers busy or locked even so

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
        self._retrying(self._create)

    def _create(self):
        with closing(self._connect()) as connection:
            # The journal mode is kept in the file: once WAL, every process opens it as WAL.
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise sqlite3.OperationalError(f"database is locked (journal mode stayed {mode})")
            with connection:
                connection.execute(SCHEMA)

    def _connect(self):
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
        connection.row_factory = sqlite3.Row
        return connection

    @staticmethod
    def _retrying(operation):
        for attempt in range(ATTEMPTS):
            try:
                return operation()
            except sqlite3.OperationalError as error:
                message = str(error).lower()
                if attempt == ATTEMPTS - 1 or ("locked" not in message and "busy" not in message):
                    raise
                time.sleep(0.05 * 2 ** attempt)
        raise AssertionError("unreachable")

    def is_healthy(self):
        try:
            self._read("SELECT 1 FROM books LIMIT 1")
            return True
        except sqlite3.Error:
            return False

    def _read(self, query, parameters=()):
        def read():
            with closing(self._connect()) as connection:
                return [dict(row) for row in connection.execute(query, parameters).fetchall()]
        return self._retrying(read)

    def list_books(self):
        return self._read("SELECT id, title, author, year, isbn FROM books ORDER BY id")

    def get_book(self, book_id):
        rows = self._read("SELECT id, title, author, year, isbn FROM books WHERE id = ?", (book_id,))
        return rows[0] if rows else None

    def add_book(self, title, author, year=None, isbn=None):
        def insert():
            with closing(self._connect()) as connection, connection:
                return connection.execute(
                    "INSERT INTO books (title, author, year, isbn) VALUES (?, ?, ?, ?)",
                    (title, author, year, isbn),
                ).lastrowid
        try:
            book_id = self._retrying(insert)
        except sqlite3.IntegrityError as error:
            raise DuplicateIsbn(isbn) from error
        return self.get_book(book_id)
