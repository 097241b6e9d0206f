# Funnel for production: gunicorn (web), Celery worker and beat all run from this image;
# docker-compose.yml picks the command. Configured only by environment variables.
# Browser packages (charts, drag and drop) from npm, pinned in package-lock.json.
FROM node:20-slim AS browser-packages
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    FUNNEL_VAR_DIR=/app/var

WORKDIR /app
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin funnel

# Dependencies first, from pyproject.toml alone, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
COPY --from=browser-packages /build/node_modules ./node_modules
# Static files are collected into the image (whitenoise serves them). Production settings
# insist on a real SECRET_KEY, so this one-off step gets a throwaway key; the running
# container must be given its own.
RUN SECRET_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v 0 \
    && chown -R funnel:funnel /app/var

USER funnel
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--preload", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
