"""Entry point: python -m book_shop. Listens on 0.0.0.0:$PORT; SIGTERM ends it gracefully."""
import logging
import os
import signal
import sys
import threading

from .server import BookShopServer, build_info
from .store import Store


def main():
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    log = logging.getLogger("book_shop")
    port = int(os.environ.get("PORT", "8000"))
    database = os.environ.get("BOOK_SHOP_DB", os.path.join(os.getcwd(), "books.sqlite3"))
    server = BookShopServer(("0.0.0.0", port), Store(database))

    def stop(signum, _frame):
        log.info("received %s, finishing requests in flight", signal.Signals(signum).name)
        # shutdown() waits for serve_forever to return, so it must not run on that thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    info = build_info()
    log.info("book-shop %s (commit %s) listening on 0.0.0.0:%d, database %s", info["version"], info["commit"], server.server_address[1], database)
    try:
        # SIGTERM stops the accept loop within a tenth of a second (the default is half of one):
        # a dev deploy or a rolling update waits for it.
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
