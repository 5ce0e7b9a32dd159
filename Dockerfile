# The sandbox, configured by SANDBOX_* variables alone: the defaults below are ENV, and CMD
# passes no flag (a flag would beat `docker run -e SANDBOX_...`). docs/operations.md#docker.
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml setup.py README.md LICENSE MANIFEST.in ./
COPY sandbox ./sandbox
COPY scenarios ./scenarios
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 sandbox \
    && mkdir /data \
    && chown 10001:10001 /data

# Numeric, so that Kubernetes' runAsNonRoot can check it without the image's /etc/passwd.
USER 10001
WORKDIR /home/sandbox
ENV SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080 \
    SANDBOX_STATE=/data/state.db
# The SQLite state (and its WAL files) outlives the container; `-v sandbox-state:/data` names it.
VOLUME ["/data"]
EXPOSE 8080
# `sandbox health` asks the port (and scheme) the same variables configure.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["sandbox", "health"]
CMD ["sandbox", "serve"]
