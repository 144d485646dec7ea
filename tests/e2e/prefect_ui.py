"""Drive the Prefect 3 UI with Playwright: open a flow run, fill the Resume form Prefect generates from a RunInput.

The form is Prefect's schema form: each field is a `.schema-form-property` whose `.schema-form-property__label`
is the field's title ("Assessor", "Check", with " (Optional)" when it has a default); strings are textareas,
Literal/enum fields are `p-select` buttons, dates a calendar pop-over, `str | None` fields a type toggle, and
lists of models an "Add item" button with one card per item.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """The system Chromium (no browser downloads here), always closed."""
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def _launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000)


class Screenshots:
    """Numbered full-page screenshots of each step, so a failure can be read step by step."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.taken: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, step: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True, timeout=10_000)
        self.taken.append(path)
        return path

    def take_quietly(self, step: str) -> Path | None:
        """A screenshot while reporting a failure: one that cannot be taken must not hide that failure."""
        try:
            return self.take(step)
        except PlaywrightError:
            return None

    @property
    def last(self) -> Path | None:
        return self.taken[-1] if self.taken else None


_HAS_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' schema-form-property ')"


def _label(title: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(title)}(\s*\(Optional\))?\s*$", re.IGNORECASE)


class SchemaForm:
    """One object of a Prefect schema form: the whole Resume form, or one item of a list field."""

    def __init__(self, page: Page, root: Locator) -> None:
        self.page = page
        self.root = root

    def field(self, title: str) -> Locator:
        """The first field titled `title` in this object (a nested item's field if this object has none)."""
        label = self.root.locator(".schema-form-property__label", has_text=_label(title)).first
        return label.locator(f"xpath=ancestor::div[{_HAS_CLASS}][1]")

    def fill(self, title: str, text: str) -> None:
        box = self.field(title).locator("textarea, input").first
        box.fill(text)

    def fill_optional(self, title: str, text: str) -> None:
        """Fill a `str | None` field: Prefect shows it as a "str | None" toggle, set to None until switched."""
        self.field(title).get_by_role("button", name="str", exact=True).click()
        self.fill(title, text)

    def choose(self, title: str, option: str) -> None:
        """Pick `option` in a select field. A mouse click does not open Prefect's select inside the modal;
        the keyboard does, as it would for a keyboard user."""
        button = self.field(title).locator("button.p-select-button__control").first
        button.focus()
        self.page.keyboard.press("ArrowDown")
        self.page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
        chosen = button.inner_text().strip()
        if chosen != option:
            raise AssertionError(f"field {title!r}: chose {option!r} but the form shows {chosen!r}")

    def pick_date(self, title: str, day: dt.date) -> None:
        """Set a date field as a person would: open its calendar, type the day into its "Selected Date" box
        (a native date input) and apply it. The calendar is drawn outside the dialog, at the page's end."""
        field = self.field(title)
        field.locator("button.p-date-button__control").click()
        picker = self.page.locator(".p-date-picker").last
        picker.locator("input[type=date]").fill(day.isoformat())
        picker.get_by_role("button", name="Apply").click()
        shown = field.locator(".p-date-button__value").inner_text().strip()
        if shown in ("", "Select date"):
            raise AssertionError(f"field {title!r}: picked {day} but the form shows {shown!r}")

    def has_field(self, title: str) -> bool:
        return self.root.locator(".schema-form-property__label", has_text=_label(title)).count() > 0

    def add_item(self, title: str) -> SchemaForm:
        """Add an item to the list field `title`; return the new item's form."""
        field = self.field(title)
        items = field.locator(".schema-form-property-array-item")
        before = items.count()
        field.get_by_role("button", name="Add item").click()
        new = items.nth(before)
        new.wait_for(state="visible")
        return SchemaForm(self.page, new)


def open_resume_form(page: Page, server_url: str, flow_run_id: str) -> SchemaForm:
    """Open a paused flow run's page and its Resume dialog; return the dialog's form."""
    page.goto(f"{server_url}/runs/flow-run/{flow_run_id}", wait_until="domcontentloaded")
    page.get_by_text("Paused", exact=True).first.wait_for(state="visible")
    page.get_by_role("button", name="Resume").first.click()
    dialog = page.locator(".p-modal__card").filter(has_text="Resume Flow Run")
    dialog.locator(".schema-form-property").first.wait_for(state="visible")
    return SchemaForm(page, dialog)


def submit(form: SchemaForm) -> None:
    form.root.get_by_role("button", name="Submit").click()
    form.root.wait_for(state="hidden", timeout=15_000)
