"""The site's form renderer: Bootstrap's markup for every field, label and error
list (core/jinja2/django/forms/), Bootstrap's invalid state on every field that
has errors, for every form (the site's, the two-factor panel's, Django's auth
forms), without each form having to remember it.

Forms render with **Jinja2**, through Django's own Jinja2 widget templates
(django/forms/jinja2/). With Django's template language, a field cost the
sign-in page about 0.3 ms — four small templates (the field, its label, the
widget, the widget's attributes), each a tree of nodes walked per render; two
fields were a fifth of the page's CPU (`python -m bench.profile`). Jinja2
compiles a template to Python code once and renders a field in a few tens of
microseconds. Pages stay Django templates: only the form markup moved.

A template that exists only for Django's template language — the admin's
widgets (admin/widgets/*.html) — renders with it, as before.
"""

from pathlib import Path

import django.forms
from django.forms.boundfield import BoundField
from django.forms.renderers import BaseRenderer
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.functional import cached_property

# Ours first, so that they override Django's field, label and error list.
TEMPLATE_DIRS = [
    Path(__file__).resolve().parent / "jinja2",
    Path(django.forms.__file__).resolve().parent / "jinja2",
]


class BootstrapBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors and not widget.is_hidden:
            # Bootstrap shows the red border and the `.invalid-feedback` after it
            # only for `.is-invalid`. Added to the widget's own classes, which
            # these attrs would otherwise replace.
            classes = (attrs.get("class") or widget.attrs.get("class", "")).split()
            if "is-invalid" not in classes:
                classes.append("is-invalid")
            attrs["class"] = " ".join(classes)
        return attrs


class BootstrapFormRenderer(BaseRenderer):
    """FORM_RENDERER: the Jinja2 templates of TEMPLATE_DIRS, falling back to
    the project's Django templates; `BootstrapBoundField`."""

    bound_field_class = BootstrapBoundField

    @cached_property
    def jinja2(self):
        from django.template.backends.jinja2 import Jinja2

        return Jinja2({"NAME": "forms", "DIRS": TEMPLATE_DIRS, "APP_DIRS": False, "OPTIONS": {}})

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return get_template(template_name)
