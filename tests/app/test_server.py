"""The book-shop service over real HTTP on loopback: run with python3 -m unittest discover -s tests/app -t ."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "src"))

from book_shop.server import BookShopServer  # noqa: E402
from book_shop.store import Store  # noqa: E402


def request(base, method, path, body=None, content_type="application/json"):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


class ServiceTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        os.environ["BOOK_SHOP_VERSION"] = "1.2.0"
        os.environ["BOOK_SHOP_COMMIT"] = "7d2a1b2" + "0" * 33
        self.server = BookShopServer(("127.0.0.1", 0), Store(os.path.join(self.folder.name, "db", "books.sqlite3")))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.folder.cleanup()

    def test_healthz_answers_ok(self):
        self.assertEqual(request(self.base, "GET", "/healthz")[::2], (200, {"status": "ok"}))

    def test_healthz_fails_when_the_database_is_gone(self):
        shutil.rmtree(os.path.dirname(self.server.store.path))
        self.assertEqual(request(self.base, "GET", "/healthz")[::2], (503, {"status": "unavailable"}))

    def test_version_reports_what_the_image_was_built_from(self):
        status, _, body = request(self.base, "GET", "/version")
        self.assertEqual((status, body), (200, {"version": "1.2.0", "commit": "7d2a1b2" + "0" * 33}))

    def test_a_posted_book_is_listed_and_found_by_id(self):
        status, headers, created = request(self.base, "POST", "/books",
                                           {"title": "Dune", "author": "Frank Herbert", "year": 1965, "isbn": "978-0441013593"})
        self.assertEqual(status, 201)
        self.assertEqual(headers["Location"], f"/books/{created['id']}")
        self.assertEqual(created, {"id": 1, "title": "Dune", "author": "Frank Herbert", "year": 1965, "isbn": "9780441013593"})
        self.assertEqual(request(self.base, "GET", "/books")[2], {"books": [created]})
        self.assertEqual(request(self.base, "GET", "/books/1")[::2], (200, created))

    def test_bad_books_are_refused_with_a_json_error(self):
        cases = [
            ({"author": "A"}, "title is required and must be a non-empty string"),
            ({"title": "T", "author": "  "}, "author is required and must be a non-empty string"),
            ({"title": "T", "author": "A", "year": "1965"}, "year must be a whole number between -3000 and 2100"),
            ({"title": "T", "author": "A", "year": True}, "year must be a whole number between -3000 and 2100"),
            ({"title": "T", "author": "A", "isbn": "12"}, "isbn must be an ISBN-10 or ISBN-13 (digits, optional hyphens)"),
            ({"title": "T", "author": "A", "price": 3}, "unknown field(s): price"),
            ([1, 2], "the body must be a JSON object"),
            (b"{not json", "the body is not valid JSON"),
        ]
        for body, message in cases:
            with self.subTest(body=body):
                self.assertEqual(request(self.base, "POST", "/books", body)[::2], (400, {"error": message}))
        self.assertEqual(request(self.base, "GET", "/books")[2], {"books": []})

    def test_a_duplicate_isbn_is_a_conflict(self):
        book = {"title": "T", "author": "A", "isbn": "0441013597"}
        self.assertEqual(request(self.base, "POST", "/books", book)[0], 201)
        self.assertEqual(request(self.base, "POST", "/books", book)[::2], (409, {"error": "a book with isbn 0441013597 exists"}))

    def test_unknown_resources_are_404_and_wrong_methods_405(self):
        self.assertEqual(request(self.base, "GET", "/books/42")[::2], (404, {"error": "no book with id 42"}))
        self.assertEqual(request(self.base, "GET", "/nowhere")[::2], (404, {"error": "no resource at /nowhere"}))
        status, headers, body = request(self.base, "DELETE", "/books/1")
        self.assertEqual((status, headers["Allow"], body), (405, "GET", {"error": "DELETE is not allowed on /books/1"}))
        status, headers, _ = request(self.base, "PUT", "/books", {"title": "T"})
        self.assertEqual((status, headers["Allow"]), (405, "GET, POST"))

    def test_a_body_without_content_length_is_411(self):
        import http.client
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_address[1], timeout=5)
        connection.putrequest("POST", "/books")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        connection.send(b"0\r\n\r\n")
        response = connection.getresponse()
        self.assertEqual((response.status, json.loads(response.read())), (411, {"error": "send the body with a Content-Length"}))
        connection.close()

    def test_a_body_that_is_not_json_is_415(self):
        self.assertEqual(request(self.base, "POST", "/books", b"title=x", "text/plain")[0], 415)


def start_service(database):
    env = dict(os.environ, PORT="0", BOOK_SHOP_DB=database, PYTHONPATH=os.path.join(ROOT, "src"))
    return subprocess.Popen([sys.executable, "-m", "book_shop"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def port_of(process):
    first = process.stdout.readline()
    if "listening on 0.0.0.0:" not in first:
        raise AssertionError(f"the service did not start: {first}{process.stdout.read()}")
    return int(first.split("listening on 0.0.0.0:")[1].split(",")[0])


class SharedDatabaseTests(unittest.TestCase):
    """Production's replicas share one SQLite file, and old and new pods overlap in every rollout."""

    def test_two_processes_writing_at_once_to_one_file_lose_nothing(self):
        with tempfile.TemporaryDirectory() as folder:
            database = os.path.join(folder, "books.sqlite3")
            # Started together: both create the schema and switch the file to WAL at the same time.
            processes = [start_service(database), start_service(database)]
            try:
                bases = [f"http://127.0.0.1:{port_of(process)}" for process in processes]
                failures = []

                def write(worker):
                    for index in range(25):
                        status, _, body = request(bases[(worker + index) % 2], "POST", "/books",
                                                  {"title": f"book {worker}-{index}", "author": "A"})
                        if status != 201:
                            failures.append((status, body))

                writers = [threading.Thread(target=write, args=(worker,)) for worker in range(8)]
                for writer in writers:
                    writer.start()
                for writer in writers:
                    writer.join()

                self.assertEqual(failures, [])
                listed = [request(base, "GET", "/books")[2]["books"] for base in bases]
                self.assertEqual(listed[0], listed[1], "both processes see one catalogue")
                self.assertEqual(sorted(book["title"] for book in listed[0]),
                                 sorted(f"book {worker}-{index}" for worker in range(8) for index in range(25)))
                self.assertEqual(len({book["id"] for book in listed[0]}), 200)
                with open(database, "rb") as file:
                    header = file.read(20)
                self.assertEqual(header[18:20], b"\x02\x02", "the file is in WAL mode")
            finally:
                for process in processes:
                    process.send_signal(signal.SIGTERM)
                    process.communicate(timeout=10)


class ProcessTests(unittest.TestCase):
    def test_sigterm_ends_the_service_gracefully(self):
        with tempfile.TemporaryDirectory() as folder:
            process = start_service(os.path.join(folder, "books.sqlite3"))
            port_of(process)  # fails the test unless the service says it listens
            process.send_signal(signal.SIGTERM)
            output = process.communicate(timeout=10)[0]
            self.assertEqual(process.returncode, 0, output)
            self.assertIn("received SIGTERM, finishing requests in flight", output)
            self.assertIn("stopped", output)

    def test_a_request_in_flight_when_sigterm_arrives_is_answered_in_full(self):
        # A deploy stops the old container with SIGTERM while nginx may be halfway through a
        # request to it; "gracefully" means that request still gets its whole answer.
        with tempfile.TemporaryDirectory() as folder:
            process = start_service(os.path.join(folder, "books.sqlite3"))
            try:
                port = port_of(process)
                body = json.dumps({"title": "In flight", "author": "A", "isbn": "9780262033848"}).encode()
                with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
                    # The headers now, the body after SIGTERM: the request is in flight meanwhile.
                    connection.sendall(b"POST /books HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                                       + f"Content-Length: {len(body)}\r\n\r\n".encode())
                    time.sleep(0.3)
                    process.send_signal(signal.SIGTERM)
                    self.assertIn("received SIGTERM", process.stdout.readline())
                    time.sleep(0.5)  # longer than the accept loop takes to stop
                    connection.sendall(body)
                    answer = b""
                    while chunk := connection.recv(65536):
                        answer += chunk
                head, _, payload = answer.partition(b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 201 "), answer)
                self.assertIn(b"Connection: close", head, "a stopping server closes the connection after the answer")
                self.assertEqual(json.loads(payload)["title"], "In flight")
                output = process.communicate(timeout=10)[0]
                self.assertEqual(process.returncode, 0, output)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.communicate()


if __name__ == "__main__":
    unittest.main()
