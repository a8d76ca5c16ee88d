# One image for web (gunicorn), worker and beat.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=False \
    ZONETRACKER_VAR_DIR=/app/var STATIC_ROOT=/app/staticfiles STATIC_MANIFEST=True \
    WHITENOISE_USE_FINDERS=False

WORKDIR /app
# WeasyPrint (the round reports' PDF) draws with Pango; Noto Sans CJK is embedded in the PDFs.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# Editable, so the code that runs is /app itself, with its templates, migrations and data files.
RUN pip install --no-cache-dir -e .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --create-home --uid 1000 zonetracker \
    && mkdir -p /app/var/mail /app/media && chown -R zonetracker /app/var /app/media
USER zonetracker
EXPOSE 8000
CMD ["gunicorn", "zonetracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
