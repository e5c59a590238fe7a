"""The site's form renderer: the templates under templates/django/forms/ and
Bootstrap's invalid state on every field that has errors, for every form (the
site's, the two-factor panel's, Django's auth forms), without each form having
to remember it."""

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


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


class BootstrapFormRenderer(TemplatesSetting):
    """FORM_RENDERER: templates from the project's template dirs (so
    templates/django/forms/ override Django's) and `BootstrapBoundField`."""

    bound_field_class = BootstrapBoundField
