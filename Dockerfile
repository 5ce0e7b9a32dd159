FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY sandbox ./sandbox
COPY scenarios ./scenarios
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 sandbox

USER sandbox
WORKDIR /home/sandbox
ENV SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080 \
    SANDBOX_STATE=/home/sandbox/state.db
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/__sandbox/health', timeout=2)" || exit 1
CMD ["sandbox", "serve", "--host", "0.0.0.0", "--port", "8080"]
