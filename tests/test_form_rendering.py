"""The form renderer (core/form_rendering.py): Bootstrap's markup from the
Jinja2 templates, and Django's templates for what only they have (the admin's
widgets)."""

from django import forms
from django.forms.renderers import get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template

from core.forms import StyledFormMixin


class ExampleForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Your name", help_text="As on your card.")
    agree = forms.BooleanField(label="I agree")


def test_a_field_with_an_error_has_bootstraps_invalid_markup():
    form = ExampleForm(data={"name": "", "agree": ""})
    html = form["name"].as_field_group()
    assert html.startswith('<div class="mb-3">')
    assert '<label for="id_name" class="form-label">Your name:</label>' in html
    assert 'class="form-control is-invalid"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert '<div class="form-text" id="id_name_helptext">As on your card.</div>' in html
    assert (
        '<ul class="errorlist invalid-feedback d-block list-unstyled mb-0" id="id_name_error">'
        "<li>This field is required.</li></ul>"
    ) in html


def test_a_field_without_errors_renders_no_error_list():
    html = ExampleForm()["name"].as_field_group()
    assert "errorlist" not in html
    assert "is-invalid" not in html


def test_a_checkbox_sits_before_its_label():
    html = ExampleForm()["agree"].as_field_group()
    assert html.startswith('<div class="form-check mb-3">')
    assert html.index('type="checkbox"') < html.index(
        '<label for="id_agree" class="form-check-label">'
    )


def test_what_a_user_typed_comes_back_escaped():
    form = ExampleForm(data={"name": '"><script>x</script>', "agree": "on"})
    html = form["name"].as_field_group()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_site_forms_render_with_jinja2_and_the_admins_widgets_with_django_templates():
    renderer = get_default_renderer()
    assert isinstance(renderer.get_template("django/forms/field.html"), Jinja2Template)
    assert isinstance(renderer.get_template("django/forms/widgets/input.html"), Jinja2Template)
    # No Jinja2 copy of the admin's widgets exists: Django's templates render them.
    template = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert isinstance(template, DjangoTemplate)
