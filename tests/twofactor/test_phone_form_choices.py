"""The phone form's country list starts with a real country (no "---------")."""

from itertools import takewhile

import pytest

from tests.accounts.html import tags
from tests.twofactor.conftest import ENABLE_URL


@pytest.mark.django_db
def test_the_country_list_starts_with_a_real_choice(client_logged_in, settings):
    settings.PHONENUMBER_DEFAULT_REGION = "FR"
    response = client_logged_in.get(ENABLE_URL)
    page = tags(response.content)
    [select] = [t for t in page if t.name == "select" and t.attrs.get("name") == "country"]
    # The <option>s right after it: the footer's language list comes later.
    options = list(takewhile(lambda t: t.name == "option", page[page.index(select) + 1 :]))
    assert len(options) > 200
    assert all(option.attrs.get("value") for option in options), options[:3]
    assert "---------" not in response.text
    selected = [o for o in options if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == ["FR"]


@pytest.mark.django_db
def test_an_empty_country_is_still_refused(client_logged_in):
    response = client_logged_in.post(ENABLE_URL, {"country": "", "number": "2015550123"})
    assert response.status_code == 422
    assert "This field is required." in response.text
