"""The house style of every sentence the engine writes for people: plurals and negatives, money, dates, one term
for the organisations assessed, and a list read as English.

Pure functions over values, no I/O: the checks use them for their findings and the renderers for everything
else, so "1 condition is", "no CCG has", "£1.36m" and "31 August 2012" are written one way everywhere.

- **Counts** agree with their nouns and verbs, and a count of nothing reads as a negative: `count(0, "CCG")` is
  "no CCGs", `count_is(1, "condition")` "1 condition is", `none_of(0, 6, "planned CCG")` "none of the 6
  planned CCGs".
- **Money** is rounded in prose (`money(Decimal("1360245.50"))` is "£1.36m") and exact in tables
  (`money_exact(...)` is "£1,360,245.50"); an amount per head keeps its pence only when it has some
  (`per_head(Decimal("12.50"))` is "£12.50", `per_head(Decimal("11"))` "£11").
- **Dates** are long, British (`long_date` is "31 August 2012"); `with_long_dates` rewrites the ISO dates in a
  sentence the same way.
- **One term.** The 2012 documents called the organisations "commissioning support services" (CSSs); they were
  renamed commissioning support units (CSUs) before they were hosted. Reports use CSU throughout
  (`csu_term`), and say so once (`CSU_TERM_NOTE`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CSU_TERM_NOTE = (
    "CSU means commissioning support unit. The 2012 checkpoint documents called these emerging organisations "
    "commissioning support services (CSSs); this report uses CSU throughout."
)

# ------------------------------------------------------------------------------------------------- counts

_IRREGULAR = {"is": "are", "was": "were", "has": "have", "does": "do", "this": "these", "it": "they"}


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """The noun for `n` of them: `singular` for exactly 1, else `plural_form` (default `singular` + "s")."""
    if n == 1:
        return singular
    if plural_form is not None:
        return plural_form
    return _IRREGULAR.get(singular, singular + "s")


def count(n: int, singular: str, plural_form: str | None = None, *, zero: str = "no") -> str:
    """ "no CCGs", "1 CCG", "3 CCGs", "1,204 CSUs"."""
    noun = plural(n, singular, plural_form)
    return f"{zero} {noun}" if n == 0 else f"{n:,} {noun}"


def verb(n: int, singular: str, plural_form: str | None = None) -> str:
    """The verb agreeing with a count of `n`: `verb(1, "is")` "is", `verb(2, "is")` "are"."""
    return singular if n == 1 else (plural_form or _IRREGULAR.get(singular, singular))


def count_is(n: int, singular: str, plural_form: str | None = None, *, is_: str = "is") -> str:
    """A count and its verb: "no conditions are", "1 condition is", "2 conditions are"."""
    return f"{count(n, singular, plural_form)} {verb(n, is_)}"


def none_of(k: int, n: int, singular: str, plural_form: str | None = None) -> str:
    """ "k of n things", read as English at the ends: "none of the 6 CCGs", "all 6 CCGs", "both CCGs",
    "the one CCG", "2 of 6 CCGs". The verb that follows agrees with `k` (`verb(k, ...)`; "none of" takes the
    singular, as British formal usage has it)."""
    noun = plural(n, singular, plural_form)
    if n == 1:
        return f"the one {singular}" if k == 1 else f"no {singular} (of 1)"
    if k == 0:
        return f"none of the {n:,} {noun}"
    if k == n:
        return f"both {noun}" if n == 2 else f"all {n:,} {noun}"
    return f"{k:,} of {n:,} {noun}"


_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_word(n: int) -> str:
    """A small count in words, as a sentence starts with it ("two domains failed"); 11 and up as digits."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def spelled(n: int, singular: str, plural_form: str | None = None) -> str:
    """A count to start a sentence with: "One submitted figure", "Two check results", "No CSUs", "12 CSUs"."""
    return cap(f"{number_word(n)} {plural(n, singular, plural_form)}")


def list_phrase(items: Sequence[str], conjunction: str = "and") -> str:
    """ "a", "a and b", "a, b and c" (no serial comma, as British house styles write it)."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def ordinal_checkpoint(n: int) -> str:
    return f"checkpoint {n}"


# -------------------------------------------------------------------------------------------------- money

_PENNY = Decimal("0.01")
_MILLION = Decimal(1_000_000)


def _quantise(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(value: Decimal | float | int | None) -> str:
    """An amount as prose gives it: "£1.36m" from a million up, whole pounds below ("£450,000", "£12,500"),
    pounds and pence under £100 with pence ("£12.50"). A negative amount gets a true minus sign."""
    if value is None:
        return "—"
    amount = Decimal(str(value))
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    if amount >= _MILLION:
        millions = _quantise(amount / _MILLION, 2)
        return f"{sign}£{millions:,.2f}m"
    if amount >= 100 or amount == amount.to_integral_value():
        return f"{sign}£{_quantise(amount, 0):,.0f}"
    return f"{sign}£{_quantise(amount, 2):,.2f}"


def money_exact(value: Decimal | float | int | None) -> str:
    """An amount as a table gives it: to the penny, with thousands separators ("£1,360,245.50")."""
    if value is None:
        return "—"
    amount = Decimal(str(value))
    sign = "−" if amount < 0 else ""
    return f"{sign}£{_quantise(abs(amount), 2):,.2f}"


def per_head(value: Decimal | float | None) -> str:
    """A price or cost per head: "£12.50", "£11" (pence only when there are some)."""
    if value is None:
        return "—"
    amount = _quantise(Decimal(str(value)), 2)
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    return f"{sign}£{amount:,.0f}" if amount == amount.to_integral_value() else f"{sign}£{amount:,.2f}"


def percent(value: float | None, places: int = 0) -> str:
    """A share as a percentage: 0.436 → "44%"."""
    return "—" if value is None else f"{value * 100:.{places}f}%"


# A sum of money in running text: "£22,595,759.96", "£1,500,000", "£450,000.00", "£12.50".
_MONEY_IN_TEXT = re.compile(r"(?<![\w.])(−|-)?£(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(?![\d,]*\d)(?!m\b)")


def with_prose_money(text: str) -> str:
    """Round every amount of £10,000 or more in a sentence as prose gives it ("£22,595,759.96" → "£22.60m",
    "£450,000.00" → "£450,000"); smaller amounts (prices per head) are left as they are."""

    def rounded(match: re.Match[str]) -> str:
        sign, whole, pence = match.group(1) or "", match.group(2), match.group(3) or ""
        amount = Decimal(whole.replace(",", "") + pence)
        if amount < 10_000:
            return match.group(0)
        return ("−" if sign else "") + money(amount)

    return _MONEY_IN_TEXT.sub(rounded, text)


# -------------------------------------------------------------------------------------------------- dates


def long_date(day: dt.date) -> str:
    """ "31 August 2012"."""
    return f"{day.day} {day:%B %Y}"


_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def with_long_dates(text: str) -> str:
    """Every ISO date in `text` written long: "due by 2012-09-01" → "due by 1 September 2012"."""

    def written(match: re.Match[str]) -> str:
        try:
            return long_date(dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
        except ValueError:
            return match.group(0)

    return _ISO_DATE.sub(written, text)


# -------------------------------------------------------------------------------------------------- terms

_TERMS = (
    (re.compile(r"\bcommissioning support services\b"), "commissioning support units"),
    (re.compile(r"\bcommissioning support service\b"), "commissioning support unit"),
    (re.compile(r"\bCommissioning Support Services\b"), "Commissioning Support Units"),
    (re.compile(r"\bCommissioning Support Service\b"), "Commissioning Support Unit"),
    (re.compile(r"\bCSSs\b"), "CSUs"),
    (re.compile(r"\bCSS's\b"), "CSU's"),
    (re.compile(r"\bCSS\b"), "CSU"),
)


def csu_term(text: str, *, keep: Sequence[str] = ()) -> str:
    """`text` with the historical name (CSS, commissioning support service) written as CSU. Names in `keep`
    (the CSU's own name: "Staffordshire CSS" is what that organisation was called) are left as they are."""
    if "CSS" not in text and "ommissioning support service" not in text.lower():
        return text
    held: dict[str, str] = {}
    for i, name in enumerate(n for n in keep if n and "CSS" in n):
        token = f"\x00{i}\x00"
        held[token] = name
        text = text.replace(name, token)
    for pattern, replacement in _TERMS:
        text = pattern.sub(replacement, text)
    for token, name in held.items():
        text = text.replace(token, name)
    return text


# "N thing(s)", as a check writes a count it cannot inflect, and the forms a zero takes.
_AT_MOST_NONE = re.compile(r"≤ 0 ((?:[\w-]+ ){0,3}?)([\w-]+)\(s\)")
_COUNTED = re.compile(r"(?<![\d.,])\b(\d[\d,]*) ((?:[\w-]+ ){0,3}?)([\w-]+)\(s\)")
_LOOSE_PLURAL = re.compile(r"\b([\w-]+)\(s\)")
_ZERO_SUBJECT = re.compile(r"(?<![\d.,£−-])\b0 ((?:[\w-]+ ){0,4}?)([\w-]+?)s (are|were|have)\b")
_ZERO_OF_NEGATIVE = re.compile(
    r"(?<![\d.,£−-])\b0 of (\d[\d,]*) ((?:[\w-]+ ){0,4}?)([\w-]+) (have|are|were) not\b"
)
_ZERO_OF = re.compile(r"(?<![\d.,£−-])\b0 of (\d[\d,]*) ")
_ONE_OF_PLURAL_VERB = re.compile(r"(?<![\d.,£−-])\b1 of (\d[\d,]*) ((?:[\w'-]+ ){0,5}?)(are|were|have)\b")
_AT_MOST_ZERO = re.compile(r"≤ 0 (?=[a-zA-Z])")
_SNAKE = re.compile(r"(?<![\w./])([a-z]+(?:_[a-z0-9]+)+)(?![\w./])")
_HYPHEN_MINUS = re.compile(r"(?<![\w.,-])-(?=[£\d])")
_ZERO_MORE = re.compile(r"(?<![\d.,£−-])\b0 more\b")
_SINGULAR_VERB = {"are": "is", "were": "was", "have": "has"}


def tidy(text: str) -> str:
    """Counts that agree with their nouns and verbs, and zeros read as negatives: "1 engagement event(s)" →
    "1 engagement event", "0 CCG(s) scored" → "no CCG scored", "≤ 0 CCG(s) scoring 1" → "no CCG scoring 1",
    "0 CCGs are" → "no CCG is", "0 of 6 CCGs have not signed" → "all 6 CCGs have signed", "0 of 6 CCGs
    unaffordable" → "none of the 6 CCGs unaffordable"; and names of fields as words ("at_scale" → "at scale",
    but "financial_plan.csv" stays a file name)."""
    if "(s)" in text:
        text = _AT_MOST_NONE.sub(lambda m: f"no {m.group(1)}{m.group(2)}", text)

        def agreed(m: re.Match[str]) -> str:
            n = int(m.group(1).replace(",", ""))
            if n == 0:
                return f"no {m.group(2)}{m.group(3)}"
            return f"{m.group(1)} {m.group(2)}{m.group(3)}{'' if n == 1 else 's'}"

        text = _COUNTED.sub(agreed, text)
        text = _LOOSE_PLURAL.sub(lambda m: m.group(1) + "s", text)
    text = _ZERO_OF_NEGATIVE.sub(
        lambda m: (
            f"{'both' if m.group(1) == '2' else 'all ' + m.group(1)} {m.group(2)}{m.group(3)} {m.group(4)}"
        ),
        text,
    )
    text = _ZERO_OF.sub(lambda m: f"none of the {m.group(1)} ", text)
    text = _ONE_OF_PLURAL_VERB.sub(
        lambda m: f"1 of {m.group(1)} {m.group(2)}{_SINGULAR_VERB[m.group(3)]}", text
    )
    text = _AT_MOST_ZERO.sub("no ", text)
    text = _ZERO_MORE.sub("none", text)
    text = _HYPHEN_MINUS.sub("−", text)  # a true minus sign: "-65%" → "−65%"
    # A field or value name as words ("full_business_plan" → "full business plan"); file names keep theirs.
    text = _SNAKE.sub(lambda m: m.group(1).replace("_", " "), text)
    return _ZERO_SUBJECT.sub(
        lambda m: f"no {m.group(1)}{m.group(2)} {_SINGULAR_VERB[m.group(3)]}",
        text,
    )


def prose(text: str, *, keep: Sequence[str] = ()) -> str:
    """Engine-written text as a report prints it: one term for CSUs, counts that agree, long dates and rounded
    money."""
    return with_prose_money(with_long_dates(tidy(csu_term(text, keep=keep))))


def cell(text: str, *, keep: Sequence[str] = ()) -> str:
    """Engine-written text as a table cell prints it: one term, counts that agree and long dates; amounts exact
    as given."""
    return with_long_dates(tidy(csu_term(text, keep=keep)))


_GRADING = re.compile(r"\s*\((?:critical|high|medium|low)\b[^)]*\)")


def pass_condition(expected: str) -> str:
    """A check's `expected` as the test it must pass, without how a failure is graded: "mean ≥ 3.0 and ≤ 0
    CCG(s) scoring 1 (critical below 2.5)" → "mean ≥ 3.0 and no CCG scoring 1"."""
    return _GRADING.sub("", tidy(expected)).strip()


def decision_phrase(label: str) -> str:
    """A decision's label inside a sentence: "recommend hosting with conditions", but "B — proceed, …" keeps
    its letter."""
    return label if label[1:3] == " —" else label[:1].lower() + label[1:]


def cap(text: str) -> str:
    """`text` with its first letter a capital and the rest as it was ("no CSUs" → "No CSUs"; str.capitalize
    would write "No csus")."""
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """`text` with a capital first letter and a full stop, once."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ":")) else text + "."


__all__ = [
    "CSU_TERM_NOTE",
    "cap",
    "cell",
    "count",
    "count_is",
    "csu_term",
    "decision_phrase",
    "list_phrase",
    "long_date",
    "money",
    "money_exact",
    "none_of",
    "number_word",
    "pass_condition",
    "per_head",
    "percent",
    "plural",
    "prose",
    "sentence",
    "spelled",
    "tidy",
    "verb",
    "with_long_dates",
    "with_prose_money",
]
