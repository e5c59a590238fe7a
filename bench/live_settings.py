"""Settings of the live site that `bench.load` starts (the load benchmark and the
suite's load-and-fault test): the production settings as they are — DEBUG off,
the database and cache from the environment — with these differences, none of
which changes how a sign-in is handled:

- `django.request` errors (the tracebacks of 500s) go to the console, so the run
  can count them ("database is locked") from the server's output;
- LIVE_QUICK=1, for the suite's short run: a fast password hasher (the point
  there is the database under concurrent writes, not most of a second of CPU
  per password on a shared 2-core machine), and static files hashed but not
  compressed (gzip and brotli cost `collectstatic` 20 s; the load asks for no
  static file). The benchmark keeps both as production has them.
"""

from project.settings import *  # noqa: F403
from project.settings import LOGGING, STORAGES, env_bool

LOGGING = {
    **LOGGING,
    "loggers": {
        **LOGGING["loggers"],
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

if env_bool("LIVE_QUICK"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    STORAGES = {
        **STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
