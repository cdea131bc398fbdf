# drift: the daily schema-drift job. `docker run IMAGE` runs `drift schedule` (long-running);
# `docker run IMAGE run` is the one-shot job for a Kubernetes CronJob or host cron.
# Exec-form ENTRYPOINT: drift itself is PID 1 and receives SIGTERM from `docker stop` / kubelet.
# Logs are JSON lines (DRIFT_LOG_FORMAT=json; `-e DRIFT_LOG_FORMAT=text` for people). The
# HEALTHCHECK is `drift status`: unhealthy when a source failed, is stale or a delivery is stuck.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md CHANGELOG.md ./
COPY drift ./drift
COPY migrations ./migrations
COPY templates ./templates
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres,mysql]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DRIFT_CONFIG=/config/drift.toml \
    DRIFT_LOG_FORMAT=json
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels "drift-schema[postgres,mysql]" \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --user-group --home-dir /data --create-home drift
USER 10001:10001
WORKDIR /data
HEALTHCHECK --interval=5m --timeout=30s --start-period=2m --retries=2 CMD ["drift", "-q", "status"]
ENTRYPOINT ["drift"]
CMD ["schedule"]
