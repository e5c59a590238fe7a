"""Every page, signed out and signed in, with and without form errors, read as
HTML: the strict CSP holds, every input is labelled, errors are tied to their
inputs, and autocomplete is set."""

import json
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts.html import csp_problems, form_controls, tags

# What the browser's password manager and autofill need, by field name.
AUTOCOMPLETE = {
    "username": "username",
    "email": "email",
    "first_name": "given-name",
    "last_name": "family-name",
    "password": "current-password",
    "old_password": "current-password",
    "password1": "new-password",
    "password2": "new-password",
    "new_password1": "new-password",
    "new_password2": "new-password",
}


def reset_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/reset/{uid}/{default_token_generator.make_token(user)}/"


@pytest.fixture
def pages(client, user, user_factory, password):
    """(name, response) for every page of the accounts site."""
    bob = user_factory(username="bob")
    out = []

    def get(name, url, **kwargs):
        response = client.get(url, follow=True, **kwargs)
        assert response.status_code == 200, (name, response.status_code)
        out.append((name, response))

    def post(name, url, data):
        response = client.post(url, data)
        assert response.status_code == 200, (name, response.status_code)
        assert response.context["form"].errors, name  # the page shows errors
        out.append((name, response))

    get("home, signed out", "/")
    get("sign in", "/accounts/login/")
    post("sign in, wrong password", "/accounts/login/", {"username": "alice", "password": "no"})
    post("sign in, empty", "/accounts/login/", {})
    get("register", "/accounts/register/")
    post("register, errors", "/accounts/register/", {"email": "nope", "password1": "a"})
    get("password reset", "/accounts/password_reset/")
    post("password reset, errors", "/accounts/password_reset/", {"email": "nope"})
    get("password reset done", "/accounts/password_reset/done/")
    get("password reset complete", "/accounts/reset/done/")
    get("reset link, invalid", "/accounts/reset/MQ/bad-token/")
    get("reset link, valid", reset_url(user))
    set_password = out[-1][1].redirect_chain[-1][0]
    post("reset link, errors", set_password, {"new_password1": "a", "new_password2": "b"})

    client.force_login(user)
    get("home, signed in", "/")
    get("own profile", "/user/alice/")
    get("other profile", f"/user/{bob.username}/")
    get("edit profile", "/accounts/profile/edit/")
    post("edit profile, errors", "/accounts/profile/edit/", {"username": "", "about_me": "x" * 141})
    get("password change", "/accounts/password_change/")
    post("password change, errors", "/accounts/password_change/", {"old_password": "no"})
    get("password change done", "/accounts/password_change/done/")
    return out


@pytest.mark.django_db
def test_every_page_is_under_a_strict_csp_and_needs_no_inline_code(pages):
    for name, response in pages:
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, name
        assert "style-src 'self'" in policy, name
        # The nonce is in the policy only when the page used it ({% htmx_script %});
        # the sign-in page loads no htmx, so its policy is 'self' alone: stricter.
        nonce = re.search(r"script-src 'self'(?: 'nonce-([^']+)')?;", policy)
        assert nonce, (name, policy)
        assert csp_problems(response.content) == [], name
        # Template syntax never reaches the page ({# #} comments are one line only).
        assert "{#" not in response.text and "{%" not in response.text, name
        scripts = [t for t in tags(response.content) if t.name == "script"]
        assert scripts, name  # bootstrap (and htmx where the page swaps in place)
        for script in scripts:
            if "src" not in script.attrs:
                assert nonce.group(1) and script.attrs["nonce"] == nonce.group(1), (name, script)


@pytest.mark.django_db
def test_every_input_has_a_label(pages):
    for name, response in pages:
        page = tags(response.content)
        labels = {t.attrs.get("for"): t.text.strip() for t in page if t.name == "label"}
        for control in form_controls(response.content):
            control_id = control.attrs.get("id")
            assert control_id, (name, control)
            assert labels.get(control_id) or control.attrs.get("aria-label"), (name, control)


@pytest.mark.django_db
def test_every_error_is_tied_to_its_input(pages):
    with_errors = [(n, r) for n, r in pages if r.context and r.context.get("form")]
    checked = 0
    for name, response in with_errors:
        form = response.context["form"]
        page = tags(response.content)
        ids = {t.attrs["id"]: t for t in page if t.attrs.get("id")}
        controls = {t.attrs.get("name"): t for t in form_controls(response.content)}
        for field in form.errors:
            if field == "__all__":
                targets = [c for c in controls.values() if c.attrs.get("aria-invalid")]
            else:
                targets = [controls[field]]
            for control in targets:
                described = (control.attrs.get("aria-describedby") or "").split()
                assert control.attrs.get("aria-invalid") == "true", (name, control)
                # An element that is on the page and holds the errors.
                assert any(
                    d in ids and (d.endswith("_error") or d.endswith("-errors")) for d in described
                ), (name, control)
                checked += 1
        if "__all__" in form.errors:
            assert any(d.endswith("-errors") for d in ids), name
    assert checked >= 10


@pytest.mark.django_db
def test_error_ids_point_at_the_error_text(client):
    response = client.post("/accounts/register/", {"email": "nope"})
    text = response.text
    assert 'aria-describedby="id_email_error"' in text
    assert re.search(r'<ul class="errorlist[^"]*" id="id_email_error"><li>Enter a valid', text)


@pytest.mark.django_db
def test_sign_in_failure_is_tied_to_both_inputs(client, user):
    response = client.post("/accounts/login/", {"username": "alice", "password": "no"})
    controls = {t.attrs["name"]: t for t in form_controls(response.content)}
    for name in ("username", "password"):
        assert controls[name].attrs["aria-describedby"] == "form-errors"
        assert controls[name].attrs["aria-invalid"] == "true"
    assert 'role="alert" id="form-errors"' in response.text


@pytest.mark.django_db
def test_autocomplete_is_set_on_every_known_field(pages):
    seen = set()
    for name, response in pages:
        for control in form_controls(response.content):
            field = control.attrs.get("name")
            if field in AUTOCOMPLETE:
                assert control.attrs.get("autocomplete") == AUTOCOMPLETE[field], (name, control)
                seen.add(field)
    assert seen == set(AUTOCOMPLETE)


@pytest.mark.django_db
def test_htmx_sends_the_csrf_token_from_body(client):
    response = client.get("/")
    [body] = [t for t in tags(response.content) if t.name == "body"]
    token = str(response.context["csrf_token"])
    assert json.loads(body.attrs["hx-headers"]) == {"X-CSRFToken": token}
    # htmx comes from django-htmx, loaded from this site (no CDN).
    sources = [t.attrs.get("src", "") for t in tags(response.content) if t.name == "script"]
    assert any("django_htmx" in s or "htmx" in s for s in sources)
    assert all(s.startswith("/static/") for s in sources if s)


@pytest.mark.django_db
def test_the_site_serves_its_static_files(client):
    for path in ("/static/vendor/bootstrap/bootstrap.min.css", "/static/css/site.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)  # closes the file


@pytest.mark.django_db
def test_messages_are_announced(client, user):
    client.force_login(user)
    response = client.post("/accounts/logout/", follow=True)
    assert '<div id="messages" aria-live="polite">' in response.text
    assert 'role="status">You have been signed out.</div>' in response.text


@pytest.mark.django_db
def test_admin_pages_need_no_inline_code(admin_client, user):
    for url in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{user.pk}/change/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert csp_problems(response.content) == [], url


@pytest.mark.django_db
def test_every_invalid_field_looks_invalid(pages):
    """Bootstrap's invalid state: `is-invalid` on the input, its errors in an
    `.invalid-feedback` (shown because it follows the input)."""
    checked = 0
    for name, response in pages:
        form = response.context and response.context.get("form")
        if not form or not form.errors:
            continue
        page = tags(response.content)
        controls = {t.attrs.get("name"): t for t in form_controls(response.content)}
        for field in form.errors:
            if field == "__all__":
                targets = [c for c in controls.values() if c.attrs.get("aria-invalid")]
                assert targets, name
            else:
                targets = [controls[field]]
                [errors] = [t for t in page if t.attrs.get("id") == f"id_{field}_error"]
                assert "invalid-feedback" in errors.attrs["class"].split(), (name, errors)
            for control in targets:
                assert "is-invalid" in control.attrs["class"].split(), (name, control)
                assert "form-control" in control.attrs["class"].split() or (
                    "form-select" in control.attrs["class"].split()
                ), (name, control)
                checked += 1
        valid = [c for n, c in controls.items() if n not in form.errors and c.attrs.get("class")]
        for control in valid:
            if "__all__" not in form.errors:
                assert "is-invalid" not in control.attrs["class"].split(), (name, control)
    assert checked >= 10


@pytest.mark.django_db
def test_the_two_factor_forms_look_invalid_too(client_logged_in):
    response = client_logged_in.post("/2fa/enable/", {"country": "US", "number": "12345"})
    assert response.status_code == 422
    [number] = [t for t in form_controls(response.content) if t.attrs.get("name") == "number"]
    assert "is-invalid" in number.attrs["class"].split()
    [errors] = [t for t in tags(response.content) if t.attrs.get("id") == "id_number_error"]
    assert "invalid-feedback" in errors.attrs["class"].split()
