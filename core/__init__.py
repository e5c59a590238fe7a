"""Building blocks that `accounts` and `twofactor` both use, and nothing else.

Model-less and app-less on purpose: it imports neither app, so the apps never
import each other through it. `twofactor` may import `accounts`; `accounts`
imports only from here.
"""
