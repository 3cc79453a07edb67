"""Settings for benchmark runs: the project's settings plus the bench-only URLs (floors)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
