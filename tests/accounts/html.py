"""A small HTML reader for the tests: the tags of a page, found with the standard
library's parser so a test can check attributes without matching strings."""

from html.parser import HTMLParser


class Tag:
    def __init__(self, name: str, attrs: dict[str, str | None], line: int):
        self.name = name
        self.attrs = attrs
        self.line = line
        self.text = ""

    def __repr__(self) -> str:
        return f"<{self.name} {self.attrs} (line {self.line})>"


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []
        self._open: list[Tag] = []

    def handle_starttag(self, tag, attrs):
        node = Tag(tag, dict(attrs), self.getpos()[0])
        self.tags.append(node)
        if tag in {"script", "style", "label", "legend", "title"}:
            self._open.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].name == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for node in self._open:
            node.text += data


def tags(html: str | bytes) -> list[Tag]:
    if isinstance(html, bytes):
        html = html.decode()
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def find(html, name: str, **attrs) -> list[Tag]:
    """Tags called `name` whose attributes equal the given ones."""
    return [
        t
        for t in tags(html)
        if t.name == name and all(t.attrs.get(k) == v for k, v in attrs.items())
    ]


# Inputs a person fills in or ticks (not hidden fields or buttons).
FILLABLE = {"text", "email", "password", "checkbox", "radio", "tel", "number", "search", "url"}


def form_controls(html) -> list[Tag]:
    return [
        t
        for t in tags(html)
        if (t.name == "input" and t.attrs.get("type", "text") in FILLABLE)
        or t.name in {"select", "textarea"}
    ]


def csp_problems(html) -> list[str]:
    """What a strict Content Security Policy would block in this page."""
    problems = []
    for t in tags(html):
        if "style" in t.attrs:
            problems.append(f"style= on {t}")
        if t.name == "style":
            problems.append(f"<style> element {t}")
        if t.name == "script" and "src" not in t.attrs and not t.attrs.get("nonce"):
            problems.append(f"inline <script> without nonce {t}")
        for attr in t.attrs:
            if attr.startswith("on"):
                problems.append(f"event handler {attr}= on {t}")
        href = t.attrs.get("href") or ""
        if href.strip().lower().startswith("javascript:"):
            problems.append(f"javascript: URL on {t}")
    return problems
