"""The static files storage: WhiteNoise's (content-hashed names, gzip and
brotli copies, the manifest), with each file's URL worked out once per process.

`{% static %}` asks the storage for a URL on every use; the manifest storage
then cleans the name, looks it up in the manifest and rebuilds the URL — about
20 µs, five to seven times on every page (bench/results.md). The manifest does
not change while a process runs (a deploy starts new ones), so the answers
are kept, keyed by DEBUG as well (with DEBUG on they name the plain files).
`collectstatic` writes a new manifest: the kept answers are dropped then.
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name, force=False):
        key = (name, force, settings.DEBUG)
        try:
            return self._urls[key]
        except KeyError:
            # A name missing from the manifest raises, every time: not kept.
            url = self._urls[key] = super().url(name, force)
            return url

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
