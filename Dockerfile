FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY medins medins
COPY settlement settlement
COPY screening screening
COPY services services
RUN pip install --no-cache-dir .
COPY . .
EXPOSE 8000
CMD ["gunicorn", "-c", "python:medins.gunicorn_conf", "medins.wsgi"]
