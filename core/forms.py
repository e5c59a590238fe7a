"""The form mixin every form of the site uses."""

from django import forms


class StyledFormMixin:
    """Give every widget its Bootstrap class; labels and error ids come from
    the form templates under core/jinja2/django/forms/."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
