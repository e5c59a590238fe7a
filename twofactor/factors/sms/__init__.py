"""A phone as the second factor: codes by text message or voice call, sent and
checked by Twilio Verify (or a local backend in development and tests).

    backends/  who sends and checks the codes (pluggable like EMAIL_BACKEND)
    flows.py   sending within the limits, the sign-in check, adding the number
    forms.py   the phone form
    messages.py what the user reads about texts and calls
    views.py   the profile card's steps
    testing/   a stateful Verify fake for tests and `make fake-verify`
    factor.py  the FactorType the shared steps and pages use
"""
