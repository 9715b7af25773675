"""The HTTP service: /healthz, /version and the /books catalogue."""
import json
import logging
import os
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .store import DuplicateIsbn, Store

LOG = logging.getLogger("book_shop")
MAX_BODY = 64 * 1024
BOOK_PATH = re.compile(r"^/books/([0-9]{1,18})$")
ISBN = re.compile(r"^(?:[0-9]{9}[0-9X]|[0-9]{13})$")


def build_info():
    """What the image was built from; the pipeline checks it after every deploy."""
    return {
        "version": os.environ.get("BOOK_SHOP_VERSION", "unknown"),
        "commit": os.environ.get("BOOK_SHOP_COMMIT", "unknown"),
    }


class ValidationError(Exception):
    pass


def validate_book(payload):
    if not isinstance(payload, dict):
        raise ValidationError("the body must be a JSON object")
    unknown = sorted(set(payload) - {"title", "author", "year", "isbn"})
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(unknown)}")
    book = {}
    for field in ("title", "author"):
        value = payload.get(field)
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"{field} is required and must be a non-empty string")
        if len(value) > 200:
            raise ValidationError(f"{field} must be at most 200 characters")
        book[field] = value.strip()
    year = payload.get("year")
    if year is not None:
        if not isinstance(year, int) or isinstance(year, bool) or not -3000 <= year <= 2100:
            raise ValidationError("year must be a whole number between -3000 and 2100")
        book["year"] = year
    isbn = payload.get("isbn")
    if isbn is not None:
        if not isinstance(isbn, str) or not ISBN.match(isbn.replace("-", "")):
            raise ValidationError("isbn must be an ISBN-10 or ISBN-13 (digits, optional hyphens)")
        book["isbn"] = isbn.replace("-", "")
    return book


class Handler(BaseHTTPRequestHandler):
    server_version = "book-shop"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection ends after this long, so a stopping server waits at most
    # this for connections that sent nothing yet (docker stop gives it 10 s).
    timeout = 5

    @property
    def store(self):
        return self.server.store

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            if self.store.is_healthy():
                return self._json(HTTPStatus.OK, {"status": "ok"})
            return self._json(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "unavailable"})
        if path == "/version":
            return self._json(HTTPStatus.OK, build_info())
        if path == "/books":
            return self._json(HTTPStatus.OK, {"books": self.store.list_books()})
        match = BOOK_PATH.match(path)
        if match:
            book = self.store.get_book(int(match.group(1)))
            if book is None:
                return self._error(HTTPStatus.NOT_FOUND, f"no book with id {match.group(1)}")
            return self._json(HTTPStatus.OK, book)
        return self._not_found_or_not_allowed(path)

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if path != "/books":
            return self._not_found_or_not_allowed(path)
        if "json" not in (self.headers.get("Content-Type") or ""):
            return self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the book as application/json")
        if self.headers.get("Content-Length") is None:
            return self._error(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length"))
        except ValueError:
            return self._error(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
        if length <= 0 or length > MAX_BODY:
            return self._error(HTTPStatus.BAD_REQUEST, f"the body must be 1 to {MAX_BODY} bytes of JSON")
        try:
            payload = json.loads(self.rfile.read(length).decode("utf-8"))
            book = validate_book(payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self._error(HTTPStatus.BAD_REQUEST, "the body is not valid JSON")
        except ValidationError as error:
            return self._error(HTTPStatus.BAD_REQUEST, str(error))
        try:
            created = self.store.add_book(**book)
        except DuplicateIsbn:
            return self._error(HTTPStatus.CONFLICT, f"a book with isbn {book['isbn']} exists")
        self._json(HTTPStatus.CREATED, created, location=f"/books/{created['id']}")

    def do_PUT(self):
        self._not_found_or_not_allowed(self.path.split("?", 1)[0])

    do_DELETE = do_PATCH = do_PUT

    def _not_found_or_not_allowed(self, path):
        allowed = {"/healthz": "GET", "/version": "GET", "/books": "GET, POST"}.get(path)
        if allowed is None and BOOK_PATH.match(path):
            allowed = "GET"
        if allowed is None:
            return self._error(HTTPStatus.NOT_FOUND, f"no resource at {path}")
        return self._error(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} is not allowed on {path}", allow=allowed)

    def _error(self, status, message, allow=None):
        self._json(status, {"error": message}, allow=allow)

    def _json(self, status, body, location=None, allow=None):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        if self.server.stopping.is_set():
            # The answer completes; the client's next request goes to whoever serves next.
            self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if location:
            self.send_header("Location", location)
        if allow:
            self.send_header("Allow", allow)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        LOG.info("%s %s", self.address_string(), format % args)


class BookShopServer(ThreadingHTTPServer):
    # Requests in flight when SIGTERM arrives are answered in full: server_close() waits for
    # their threads (ThreadingHTTPServer's daemon threads would die with the process, cutting a
    # response off halfway, which nginx cannot retry).
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address, store):
        super().__init__(address, Handler)
        self.store = store
        self.stopping = threading.Event()

    def shutdown(self):
        self.stopping.set()
        super().shutdown()
