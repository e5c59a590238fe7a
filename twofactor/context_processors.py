def twofactor(request):
    """`twofactor_pending`: the session is half signed in (the navbar hides
    what it may not reach)."""
    return {"twofactor_pending": getattr(request, "twofactor_pending", False)}
