"""The Celery app: a worker (`celery -A config worker`) and beat (`celery -A config beat`).

Used only when CELERY_BROKER_URL is set; settings are the CELERY_* names in config.settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("anju")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
