FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
RUN pip install --no-cache-dir .
USER nobody
EXPOSE 8080
CMD ["paylink", "serve", "--host", "0.0.0.0", "--port", "8080"]
