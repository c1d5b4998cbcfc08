"""Reading a page's form controls and their labels (for the tests that every choice has its own
label): a <label> holds at most one control, and every control has a label."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

NOT_CONTROLS = {"hidden", "submit", "button", "image", "reset"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    in_labels: list[int] = field(default_factory=list)  # the labels it sits in (indexes)

    def describe(self) -> str:
        bits = [self.tag] + [f'{k}="{v}"' for k, v in self.attrs.items()
                             if k in ("type", "name", "value", "id")]
        return "<" + " ".join(bits) + ">"


@dataclass
class Label:
    attrs: dict[str, str]
    controls: list[Control] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: list[Label] = []
        self.controls: list[Control] = []
        self.open_labels: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "label":
            self.labels.append(Label(values))
            self.open_labels.append(len(self.labels) - 1)
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and values.get("type", "text") in NOT_CONTROLS:
                return
            control = Control(tag, values, list(self.open_labels))
            self.controls.append(control)
            for index in self.open_labels:
                self.labels[index].controls.append(control)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.open_labels:
            self.open_labels.pop()

    def handle_data(self, data: str) -> None:
        for index in self.open_labels:
            self.labels[index].text += data


def label_problems(html: str) -> list[str]:
    """What is wrong with the labels of a page: a label around more than one control, a
    control without a label (a wrapping one, a `for`, or an aria-label), a label nested in
    another."""
    reader = _Reader()
    reader.feed(html)
    problems = []
    targeted = {label.attrs["for"] for label in reader.labels if label.attrs.get("for")}
    for label in reader.labels:
        if len(label.controls) > 1:
            problems.append(f"one <label> ({' '.join(label.text.split())[:60]!r}) holds "
                            f"{len(label.controls)} controls: "
                            + ", ".join(c.describe() for c in label.controls))
    for control in reader.controls:
        labelled = (control.in_labels or control.attrs.get("id") in targeted
                    or control.attrs.get("aria-label") or control.attrs.get("aria-labelledby"))
        if not labelled:
            problems.append(f"{control.describe()} has no label")
        if len(control.in_labels) > 1:
            problems.append(f"{control.describe()} sits in nested labels")
    return problems
