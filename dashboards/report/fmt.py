"""Danish formatting for the report: decimal comma, thousands dot, dd-mm-yyyy, "skjult" for a
suppressed count or value and "–" for a value there is none of (the dashboard's conventions)."""

from __future__ import annotations

from datetime import date, datetime

HIDDEN = "skjult"  # a hidden value computed from a count of fewer than 5 (a share, a median)
SUPPRESSED = HIDDEN  # a hidden count: under 5, or hidden so another cannot be worked out, so of any size
NONE = "–"
QUARTERS = ("1. kvartal", "2. kvartal", "3. kvartal", "4. kvartal")
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


def number(x, decimals: int = 0) -> str:
    if x is None:
        return NONE
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\u00a0").replace(".", ",").replace("\u00a0", ".")


def pct(x, decimals: int = 1) -> str:
    return NONE if x is None else number(x * 100, decimals) + "\u00a0%"


def count(x, suppressed: bool = False) -> str:
    """A count of citizens, spells or cases: "skjult" when its mart hides it."""
    if x is None:
        return SUPPRESSED if suppressed else NONE
    return number(x)


def value(x, unit: str, suppressed: bool = False) -> str:
    """A KPI value in its unit (andel, dage, sager, forløb, skift); "skjult" when its mart hides it
    ("<5" there would read as a value: under 5 days, under 5 %)."""
    if x is None:
        return HIDDEN if suppressed else NONE
    if unit == "andel" or unit == "survival" or unit == "share":
        return pct(x)
    if unit in ("dage", "forløb", "median"):
        return number(x, 0)
    if unit in ("sager", "mean"):
        return number(x, 1)
    return number(x, 2)


def day(d: date | datetime | None) -> str:
    return NONE if d is None else f"{d:%d-%m-%Y}"


def timestamp(text: str | None) -> str:
    if not text:
        return NONE
    t = datetime.fromisoformat(text)
    return f"{t:%d-%m-%Y kl. %H:%M}"


def target(operator: str | None, target_value, unit: str) -> str:
    if operator is None or target_value is None:
        return "intet mål"
    word = "højst" if operator == "<=" else "mindst"
    return f"{word} {value(target_value, unit)}"


def on_target(flag: bool | None) -> str:
    return {True: "Målet er nået", False: "Målet er ikke nået"}.get(flag, NONE)


def quarter(year: int, q: int) -> str:
    return f"{QUARTERS[q - 1]} {year}"


def month(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.year}"


def difference(x, kind: str, unit_word: bool = True) -> str:
    """An arm difference: shares and survival in percentage points, medians and means in their own unit."""
    if x is None:
        return NONE
    if kind in ("share", "survival"):
        return number(x * 100, 1) + ("\u00a0pct.-point" if unit_word else "")
    return value(x, kind)
