"""`manage.py` commands of the accounts app."""
