from twofactor import session


def twofactor(request):
    """`twofactor_pending`: the session is half signed in (the navbar hides
    what it may not reach). Computed from the session, not from a flag the
    gate sets: error pages (404, CSRF failure) never pass through the gate's
    `process_view`."""
    return {"twofactor_pending": session.needs_code(request)}
