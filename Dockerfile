# syntax=docker/dockerfile:1
# Joined Up's container image: `joinedup serve` on port 3000, as an unprivileged user.
#
#   docker build -t joinedup:local .
#   docker run --rm joinedup:local joinedup --version
#
# deploy/compose.yml runs it with PostgreSQL behind an HTTPS proxy; docs/deploy.md explains.
# The base is pinned to one patch release of Python 3.11 on Debian bookworm. To take a newer one (security
# fixes), change the tag here and rebuild.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- build: install Joined Up and its dependencies into a virtual environment -------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/joinedup
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
# The Welsh message catalogue is compiled (.po to .mo) with Babel before the install takes it in.
# Every dependency installs from a prebuilt wheel, so no compiler is needed; pip and setuptools then leave the
# environment, which needs neither to run.
RUN /opt/joinedup/bin/pip install "Babel>=2.14,<3" \
 && /opt/joinedup/bin/python -m babel.messages.frontend compile -d bot/i18n/locale -D joinedup \
 && /opt/joinedup/bin/pip install . \
 && /opt/joinedup/bin/pip uninstall --yes pip setuptools

# --- run: the environment alone, on a fresh base --------------------------------------------------------------
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 joinedup \
 && useradd --system --uid 10001 --gid joinedup --home-dir /var/lib/joinedup --no-create-home \
            --shell /usr/sbin/nologin joinedup \
 && install --directory --owner=joinedup --group=joinedup --mode=0750 /var/lib/joinedup \
 && install --directory --mode=0755 /etc/joinedup
COPY --from=build /opt/joinedup /opt/joinedup
# JOINEDUP_CONFIG: mount the partnership's joinedup.toml here, read-only.
# DATABASE_URL: SQLite in /var/lib/joinedup unless set (mount a volume there to keep it); PostgreSQL for production.
ENV PATH=/opt/joinedup/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    JOINEDUP_HOST=0.0.0.0 \
    PORT=3000 \
    JOINEDUP_CONFIG=/etc/joinedup/joinedup.toml \
    DATABASE_URL=sqlite:////var/lib/joinedup/joinedup.db
WORKDIR /var/lib/joinedup
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=4)"]
CMD ["joinedup", "serve"]
