# The book-shop image. The pipeline builds it with --build-arg VERSION, COMMIT, CREATED and
# SOURCE (and BASE_IMAGE where the default cannot be pulled, as in this repository's tests), and
# --cache-from the previous snapshot of the branch.
# Instructions go from the least to the most often changed: a code-only change re-runs only
# the code layer and the small build-facts layers below it (bench/rebuild.py measures it).
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    BOOK_SHOP_DB=/var/lib/book-shop/books.sqlite3

# A numeric non-root user, so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 book-shop \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin book-shop \
 && mkdir -p /app/src /var/lib/book-shop \
 && chown 10001:10001 /var/lib/book-shop

WORKDIR /app

# Dependencies from pyproject.toml alone (the application uses the standard library only, so
# today the list is empty and pip is not needed), and the package put on the interpreter's path
# with a .pth file: an install without a build backend, since none can be fetched where the
# image is built from a local base. Neither depends on the code, so a code change reuses them.
COPY pyproject.toml ./
RUN python3 -c "import subprocess, sys, sysconfig, tomllib; \
deps = tomllib.load(open('pyproject.toml', 'rb'))['project'].get('dependencies', []); \
deps and subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-cache-dir', *deps], check=True); \
open(sysconfig.get_paths()['purelib'] + '/book-shop.pth', 'w').write('/app/src\n')"

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
CMD ["python3", "-m", "book_shop"]

COPY src/ ./src/

# What the image was built from: last, since every commit changes it. One ARG line, since the
# classic builder commits a layer per instruction. BUILDKIT_INLINE_CACHE is BuildKit's (the
# pipeline passes it so that the next build can reuse these layers); declared here only so that
# the classic builder does not warn that it went unused.
ARG VERSION=0.0.0 COMMIT=unknown CREATED=unknown SOURCE=unknown BUILDKIT_INLINE_CACHE
ENV BOOK_SHOP_VERSION=${VERSION} \
    BOOK_SHOP_COMMIT=${COMMIT}
LABEL org.opencontainers.image.title="book-shop" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}"
