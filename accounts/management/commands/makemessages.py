"""Django's `makemessages`, leaving out what is not the site's own text.

`manage.py makemessages -a` (what `make messages` runs) then extracts the
strings of accounts/, twofactor/, core/, project/ and templates/ only: not the
installed packages under node_modules/, the vendored Bootstrap, collected
static files, the tests or the benchmarks. tests/test_translations.py runs it
the same way to find strings that have no German or Spanish translation yet.
(.venv/ and other dot-directories Django already leaves out.)
"""

from django.core.management.commands import makemessages

NOT_THE_SITES_OWN = [
    "node_modules/*",
    "static/vendor/*",
    "staticfiles/*",
    "tests/*",
    "bench/*",
    "test-artifacts/*",
]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *NOT_THE_SITES_OWN]
        return super().handle(*args, **options)
