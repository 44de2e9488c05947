# The PayLink gateway image: one image for every role, the command picks it
# (`paylink serve`, `paylink worker`, `paylink migrate`; see docker-compose.yml).
# Built in two stages so the runtime image has no compiler and no build cache.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
# the package, its dependencies and the optional uvloop event loop, as wheels
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[uvloop]'

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PAYLINK_LOG_FORMAT=json
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin paylink
WORKDIR /tmp
USER paylink
EXPOSE 8080
# `paylink serve` drains on SIGTERM: /readyz goes 503, in-flight hops and vends finish
# (PAYLINK_SHUTDOWN_DELAY + PAYLINK_SHUTDOWN_TIMEOUT; give it a stop_grace_period to match)
STOPSIGNAL SIGTERM
CMD ["paylink", "serve", "--host", "0.0.0.0", "--port", "8080"]
