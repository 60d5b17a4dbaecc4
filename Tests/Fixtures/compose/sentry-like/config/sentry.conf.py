# Minimal placeholder Sentry configuration for fixtures.
from sentry.conf.server import *  # noqa

DATABASES = {
    "default": {
        "ENGINE": "sentry.db.postgres",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "postgres",
        "PORT": "",
    }
}
SENTRY_OPTIONS["redis.clusters"] = {"default": {"hosts": {0: {"host": "redis", "port": 6379}}}}
