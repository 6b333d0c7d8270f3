"""Building blocks shared by the pages: formatting, tables, charts, downloads, filters.

Numbers are written the Danish way (1.234,5 and 40,2 %). A suppressed figure is shown as
"Skjult", never as 0 or blank: it may be under five citizens, or hidden so that another cannot be
worked out from it (then it may be any size, so "<5" would be wrong). Colours are the Okabe–Ito
palette, which stays distinguishable with the common colour-vision deficiencies and on a projector.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import plotly.io as pio
import polars as pl
from dash import dash_table, dcc, html

from dashboards.targets import interval_holds

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GOOD, BAD = "#009E73", "#D55E00"
# a hidden count in a table, and a hidden KPI value (a share, a median of days); the same word for
# both, and for a small cell and one hidden to protect another, so the word tells no size
HIDDEN_FIGURE = SUPPRESSED = "Skjult"
HIDDEN_REASON = "Skjult, fordi tallet bygger på færre end 5 borgere eller kan regnes ud fra andre tal"


@dataclass(frozen=True)
class Filters:
    municipality: str = "ALLE"
    date: object = None
    target_group: str | None = None
    team: str | None = None
    experiment: str | None = None

    def honouring(self, honoured) -> Filters:
        """Only the filters a page honours: the others as if unset, so a value kept from another
        page (the filters persist) never filters a page that says it does not apply."""
        return Filters(self.municipality, self.date if "dato" in honoured else None,
                       self.target_group if "maalgruppe" in honoured else None,
                       self.team if "team" in honoured else None,
                       self.experiment if "forsoeg" in honoured else None)

    @property
    def as_of(self):
        """The date the figures are read on: the date filter's, else the publication's reference date."""
        from dashboards import data

        return self.date or data.current_date()


# The global filters: name in a page's declaration -> (component id, label). A page declares the
# ones it honours with `dash.register_page(..., filters=(...))`; the others are disabled on it,
# with the page's reason (`filter_reasons=`) or the default one below.
FILTERS = {"kommune": ("f-kommune", "Kommune"), "dato": ("f-dato", "Opgørelsesdato"),
           "maalgruppe": ("f-maalgruppe", "Målgruppe"), "team": ("f-team", "Team"),
           "forsoeg": ("f-forsoeg", "Forsøg")}
FILTER_IDS = tuple(i for i, _ in FILTERS.values())
REASONS = {
    "kommune": "Tallene er opgjort på tværs af alle kommuner.",
    "dato": "Tallene er opgjort på den seneste opgørelsesdato.",
    "maalgruppe": "Tallene findes ikke pr. målgruppe.",
    "team": "Tallene findes ikke pr. team.",
    "forsoeg": "Tallene findes ikke pr. forsøg.",
}


def contract(page: dict | None) -> tuple[tuple[str, ...], dict[str, str]]:
    """A registered page's filter contract: the filters it honours, and why each other one does not apply."""
    honoured = tuple((page or {}).get("filters", ()))
    reasons = {**REASONS, **(page or {}).get("filter_reasons", {})}
    return honoured, {name: reasons[name] for name in FILTERS if name not in honoured}


def contract_of(module: str) -> tuple[str, ...]:
    import dash

    return contract(dash.page_registry.get(module))[0]


def filters_from(values) -> Filters:
    """The filter values a callback received, checked: anything malformed is a bad request (400)."""
    from datetime import date

    from werkzeug.exceptions import BadRequest

    kommune, dato, maalgruppe, team, forsoeg = values
    if any(v is not None and not isinstance(v, str) for v in values):
        raise BadRequest("Ugyldig filterværdi.")
    try:
        day = date.fromisoformat(dato) if dato else None
    except ValueError:
        raise BadRequest("Ugyldig dato: brug formatet åååå-mm-dd.") from None
    return Filters(kommune or "ALLE", day, maalgruppe or None, team or None, forsoeg or None)


# --- formatting ---------------------------------------------------------------------------------

def number(x, decimals: int = 0) -> str:
    if x is None:
        return "–"
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\u00a0").replace(".", ",").replace("\u00a0", ".")


def pct(x, decimals: int = 1) -> str:
    return "–" if x is None else number(x * 100, decimals) + " %"


def decimals_for(unit: str, target=None) -> int:
    """Enough decimals that a value and its target compare on screen ("0,60" against "0,50", not "0,6")."""
    base = 1 if unit in ("andel", "sager") else 0 if unit in ("dage", "forløb") else 2
    if target is not None and unit != "andel":
        text = f"{target:.6f}".rstrip("0")
        base = max(base, len(text.split(".")[1]) if "." in text else 0)
    return base


def value(x, unit: str, target=None) -> str:
    if unit == "andel":
        return pct(x)
    return number(x, decimals_for(unit, target))


def date_da(d) -> str:
    """A date as dd-mm-yyyy (an ISO string, a date or a datetime)."""
    from datetime import date, datetime

    if d is None:
        return "–"
    if isinstance(d, str):
        d = datetime.fromisoformat(d)
    if isinstance(d, datetime):
        d = local(d).date()
    return f"{d:%d-%m-%Y}" if isinstance(d, date) else str(d)


TZ = "Europe/Copenhagen"


def local(t):
    """A timestamp in Danish time (naive ones are taken as UTC, as the audit log and DuckDB write them)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    if isinstance(t, str):
        t = datetime.fromisoformat(t)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(ZoneInfo(TZ))


def time_da(t) -> str:
    """A time as people here read it: '01-12-2026 kl. 13.05' in Danish time."""
    return "–" if t is None else f"{local(t):%d-%m-%Y kl. %H.%M}"


def count(n, one: str, many: str) -> str:
    """'1 borger', '2 borgere', '1.234 borgere'."""
    return f"{number(n)} {one if n == 1 else many}"


# a month in days, the marts' one convention (macro days_per_month in dbt_project/macros/sentinels.sql;
# tests/test_contract_boundary.py keeps the two equal)
DAYS_PER_MONTH = 365.25 / 12

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


def month_da(cohort: str) -> str:
    """'2026-03' as 'marts 2026'."""
    year, month = str(cohort)[:7].split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


SHARE_WORDS = ("share", "retention")


def display(df: pl.DataFrame, labels: dict[str, str] | None = None, codes: dict[str, dict] | None = None,
            decimals: dict[str, int] | None = None) -> pl.DataFrame:
    """A frame as people read it: shares as %, Danish numbers and dates, suppressed figures as "Skjult",
    codes by their Danish names (`codes`: column -> {code: name})."""
    from datetime import date, datetime

    labels, codes, decimals = labels or {}, codes or {}, decimals or {}
    suppressed = df["is_suppressed"] if "is_suppressed" in df.columns else pl.Series([False] * df.height)
    cols = {}
    for name in df.columns:
        if name == "is_suppressed":
            continue
        s = df[name]
        if s.dtype.is_numeric():
            is_share = any(w in name for w in SHARE_WORDS)
            places = decimals.get(name, 1 if is_share or s.dtype.is_float() else 0)
            texts = [pct(v, places) if is_share else number(v, places) for v in s.to_list()]
            texts = [SUPPRESSED if sup and v is None else t
                     for t, v, sup in zip(texts, s.to_list(), suppressed.to_list(), strict=True)]
            cols[labels.get(name, name)] = texts
        elif name in codes:
            cols[labels.get(name, name)] = [None if v is None else codes[name].get(v, v) for v in s.to_list()]
        elif s.dtype == pl.Date:  # most of an action list's cells: formatted by polars, not cell by cell
            cols[labels.get(name, name)] = s.dt.strftime("%d-%m-%Y").to_list()
        else:
            cols[labels.get(name, name)] = [None if v is None else time_da(v) if isinstance(v, datetime) else
                                            date_da(v) if isinstance(v, date) else str(v) for v in s.to_list()]
    return pl.DataFrame(cols, schema={k: pl.String for k in cols}) if cols else pl.DataFrame()


def table(df: pl.DataFrame, table_id: str, labels: dict[str, str] | None = None, page_size: int = 15,
          codes: dict[str, dict] | None = None, decimals: dict[str, int] | None = None):
    """Every row, scrolling on screen past `page_size` rows, whole on paper (the print stylesheet)."""
    shown = display(df, labels, codes, decimals)
    return dash_table.DataTable(
        id=table_id, data=shown.to_dicts(), columns=[{"name": c, "id": c} for c in shown.columns],
        page_action="none", sort_action="native", style_as_list_view=True,
        style_table={"maxHeight": f"{page_size * 36 + 40}px", "overflowY": "auto", "overflowX": "auto"},
        **TABLE_STYLE)


FONT = '"Segoe UI", "Helvetica Neue", Arial, sans-serif'
TABLE_STYLE = dict(  # wrapped cells, so a wide table fits the page (and the paper) instead of being cut off
    style_cell={"fontFamily": FONT, "fontSize": "15px", "padding": "6px", "textAlign": "left",
                "whiteSpace": "normal", "height": "auto", "minWidth": "60px", "maxWidth": "320px"},
    style_header={"fontWeight": "bold", "backgroundColor": "#f2f2f2", "whiteSpace": "normal", "height": "auto"},
)


# --- headlines ------------------------------------------------------------------------------------

OPERATORS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">"}


def target_text(kpi: dict) -> str:
    if kpi.get("default_target") is None:
        return ""
    return f"{OPERATORS.get(kpi['default_operator'], kpi['default_operator'])} " \
           f"{value(kpi['default_target'], kpi['unit'], kpi['default_target'])}"


def met(kpi: dict, x) -> bool | None:
    t = kpi.get("default_target")
    if x is None or t is None:
        return None
    return x <= t if kpi["default_operator"] in ("<=", "<") else x >= t


def verdict(kpi: dict, x, low=None, high=None) -> tuple[str, str]:
    """('Mål nået' | 'Mål ikke nået' | 'Usikkert' | 'Intet mål' | 'Ikke opgjort', css class). Usikkert
    when the 95 % interval holds the target: the data cannot tell whether it is met."""
    if kpi.get("default_target") is None:
        return "Intet mål", "no-target"
    ok = met(kpi, x)
    if ok is None:
        return "Ikke opgjort", "no-target"
    if interval_holds(low, high, kpi["default_target"]):
        return "Usikkert", "uncertain"
    return ("Mål nået", "on-target") if ok else ("Mål ikke nået", "off-target")


def headline(kpi: dict, x, *, base=None, base_words: tuple[str, str] = ("borger", "borgere"),
             population: str = "", as_of=None, low=None, high=None, suppressed: bool = False):
    """The figure a KPI page opens with: value, population, reference date, target, met or not."""
    code, unit = kpi["kpi_code"], kpi["unit"]
    shown = HIDDEN_FIGURE if suppressed and x is None else value(x, unit, kpi.get("default_target"))
    word, css = verdict(kpi, x, low, high)
    interval = (f"95 %-interval {value(low, unit, kpi.get('default_target'))} til "
                f"{value(high, unit, kpi.get('default_target'))}" if low is not None and high is not None else "")
    about = ", ".join(p for p in (count(base, *base_words) if base is not None else "", population) if p)
    lines = [p for p in (about, f"opgjort pr. {date_da(as_of)}" if as_of else "") if p]
    note = ("Intervallet rummer målet, så tallene kan ikke afgøre, om målet er nået." if css == "uncertain" else "")
    return html.Div([
        html.Div(kpi["name_da"], className="headline-name"),
        html.Div(shown, className="kpi-value", id=f"headline-value-{code}",
                 title=HIDDEN_REASON if shown == HIDDEN_FIGURE else None),
        html.Div(" · ".join(lines), className="kpi-population", id=f"headline-about-{code}"),
        html.Div([html.Span(word, className=f"badge {css}", id=f"headline-status-{code}"),
                  f" Mål: {target_text(kpi)}" if target_text(kpi) else "",
                  f" · {interval}" if interval else ""], className="kpi-target"),
        html.P(note, className="definition") if note else None,
    ], className=f"headline kpi-card {css}", id=f"headline-{code}")


# --- charts ---------------------------------------------------------------------------------------

def _template() -> dict:
    """plotly's simple_white, cut to what these charts use (layout, bars, scatter): a chart is a
    plain dict with this template in it, so no figure is built or validated by plotly in Python
    (that cost 50-400 ms a page) and a page's answer carries 1 KB of template a chart, not 9 KB."""
    t = pio.templates["simple_white"].to_plotly_json()
    layout = {k: v for k, v in t["layout"].items()
              if k not in ("polar", "ternary", "coloraxis", "colorscale", "geo", "scene", "mapbox", "map", "colorway")}
    return {"layout": layout, "data": {k: t["data"][k] for k in ("bar", "scatter")}}


TEMPLATE = _template()


def figure(traces: list[dict] | None = None, **layout) -> dict:
    """A chart as the dict plotly.js draws: its traces, and its layout on the shared template."""
    return {"data": list(traces or []), "layout": {"template": TEMPLATE, **layout}}


def axis(fig: dict, name: str, **props) -> dict:
    """Set properties of an axis ('xaxis', 'yaxis'); a title is given as text."""
    if "title" in props:
        title = props.pop("title")
        props["title"] = {"text": title} if isinstance(title, str) else (title or {})
    fig["layout"].setdefault(name, {}).update(props)
    return fig


def _layout(fig: dict, title: str, y_title: str = "", percent: bool = False) -> dict:
    fig["layout"].update(
        title={"text": title, "font": {"size": 18}}, colorway=PALETTE,
        font={"size": 15}, margin={"l": 60, "r": 20, "t": 60, "b": 50}, height=380,
        legend={"orientation": "h", "y": -0.2}, separators=",.")
    axis(fig, "yaxis", title=y_title)
    if percent:
        axis(fig, "yaxis", tickformat=".0%", rangemode="tozero")
    return fig


def rule(fig: dict, at: float, *, vertical: bool = False, colour: str = "#555", width: int = 2,
         dash: str | None = None, label: str | None = None, font: dict | None = None) -> dict:
    """A line across the whole plot at `at` (horizontal on the y axis, or vertical on the x axis),
    optionally labelled at its end, as plotly's add_hline/add_vline draw it."""
    line = {"color": colour, "width": width, **({"dash": dash} if dash else {})}
    if vertical:
        shape = {"type": "line", "x0": at, "x1": at, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
        note = {"x": at, "xanchor": "left", "xref": "x", "y": 1, "yanchor": "top", "yref": "y domain"}
    else:
        shape = {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": at, "y1": at, "yref": "y"}
        note = {"x": 1, "xanchor": "right", "xref": "x domain", "y": at, "yanchor": "bottom", "yref": "y"}
    fig["layout"].setdefault("shapes", []).append({**shape, "line": line})
    if label:
        fig["layout"].setdefault("annotations", []).append(
            {**note, "text": label, "showarrow": False, **({"font": font} if font else {})})
    return fig


def target_line(fig: dict, kpi: dict | None, *, vertical: bool = False) -> None:
    """The KPI's target as a visible dashed line, labelled with the target itself."""
    if not kpi or kpi.get("default_target") is None:
        return
    rule(fig, kpi["default_target"], vertical=vertical, colour="#333333", width=2, dash="dash",
         label=f"Mål {target_text(kpi)}", font={"size": 13, "color": "#333333"})


def _dates(x) -> tuple[list, bool]:
    """Cohort months ('2026-03') and dates as dates, so the axis is a dated one."""
    from datetime import date

    x = list(x)
    if x and all(isinstance(v, str) and len(v) == 7 and v[4] == "-" for v in x):
        return [date(int(v[:4]), int(v[5:]), 1) for v in x], True
    return x, bool(x) and all(isinstance(v, date) for v in x)


def line(x, ys: dict[str, list], title: str, percent: bool = False, target: dict | None = None,
         y_title: str = "", bands: dict[str, tuple[list, list]] | None = None, x_title: str = "") -> dict:
    fig = figure()
    x, dated = _dates(x)
    hover_x = "%{x|%d-%m-%Y}" if dated else "%{x}"
    hover_y = "%{y:.1%}" if percent else "%{y:,.2f}"
    for i, (name, y) in enumerate(ys.items()):
        colour = PALETTE[i % len(PALETTE)]
        if bands and name in bands:
            low, high = bands[name]
            fig["data"].append({"type": "scatter", "x": x + x[::-1], "y": list(high) + list(low)[::-1],
                                "fill": "toself", "fillcolor": colour, "opacity": 0.15, "line": {"width": 0},
                                "hoverinfo": "skip", "showlegend": False})
        fig["data"].append({"type": "scatter", "x": x, "y": list(y), "name": name, "mode": "lines+markers",
                            "line": {"color": colour}, "hovertemplate": f"{hover_x}: {hover_y}<extra>{name}</extra>"})
    target_line(fig, target)
    _layout(fig, title, y_title, percent)
    if dated:
        axis(fig, "xaxis", type="date", tickformat="%b %Y", title=x_title or None)
    return fig


def bars(categories, values: dict[str, list], title: str, percent: bool = False, target: dict | None = None,
         errors: dict[str, tuple[list, list]] | None = None, y_title: str = "",
         suppressed: list[bool] | None = None, hover: list[str] | None = None) -> dict:
    """Bars by category; `hover` adds a line per bar to its tooltip (a caseworker's id)."""
    fig = figure()
    cats = [str(c) for c in categories]
    text = [SUPPRESSED if s else None for s in suppressed] if suppressed else [None] * len(cats)
    for i, (name, v) in enumerate(values.items()):
        trace = {"type": "bar", "x": cats, "y": [0 if y is None else y for y in v], "name": name,
                 "marker": {"color": PALETTE[i % len(PALETTE)]}, "text": text, "textposition": "outside",
                 "hovertemplate": "%{x}: " + ("%{y:.1%}" if percent else "%{y:,.1f}")
                 + ("<br>%{customdata}" if hover else "") + f"<extra>{name}</extra>"}
        if hover is not None:
            trace["customdata"] = list(hover)
        if errors and name in errors:
            low, high = errors[name]
            trace["error_y"] = {
                "type": "data", "symmetric": False,
                "array": [None if (h is None or y is None) else h - y for y, h in zip(v, high, strict=True)],
                "arrayminus": [None if (lo is None or y is None) else y - lo for y, lo in zip(v, low, strict=True)]}
        fig["data"].append(trace)
    target_line(fig, target)
    _layout(fig, title, y_title, percent)
    axis(fig, "xaxis", type="category")
    return fig


GRAPH_CONFIG = {"displaylogo": False, "locale": "da", "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def graph(fig: dict, graph_id: str, download_key: str | None = None, *download_args: str):
    parts = [dcc.Graph(id=graph_id, figure=fig, config=GRAPH_CONFIG)]
    if download_key:
        parts.append(download_buttons(download_key, *download_args))
    return html.Div(parts, className="chart")


# --- downloads ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Download:
    fn: Callable
    title: str
    labels: dict
    choices: tuple  # for each page argument, the values it may take
    module: str


DOWNLOADS: dict[str, Download] = {}
FLAG = "Skjult (færre end 5 borgere eller kan regnes ud)"


def downloadable(key: str, title: str = "", labels: dict[str, str] | None = None, choices: tuple = ()):
    """Register the function that gives a chart's or table's numbers for the current filters, with
    the Danish column names of the file (`labels`) and the values each page argument may take."""
    def register(fn):
        DOWNLOADS[key] = Download(fn, title or key, labels or {}, tuple(tuple(c) for c in choices), fn.__module__)
        return fn
    return register


def may_download(key: str) -> bool:
    """Whether the signed-in person may download a registered key (with or without its page args):
    an action list as a teamleder or administrator, the aggregated figures as analytiker or admin."""
    from dashboards.scope import LISTS, current

    scope = current()
    return scope.may_see_lists if key.split(":")[0] in LISTS else scope.may_download


def download_buttons(key: str, *args: str):
    """CSV and Excel buttons for a registered download. `args` are the page's own choices (a radio
    button's value) that the chart was drawn with; they travel in the button's id, so the file has
    the numbers the reader is looking at. Only for a role that may download it (see may_download;
    the download callback checks again)."""
    key = ":".join((key, *args))
    if not may_download(key):
        return None
    return html.Div([
        html.Button("Hent CSV", id={"type": "download", "key": key, "fmt": "csv"}, className="download"),
        html.Button("Hent Excel", id={"type": "download", "key": key, "fmt": "xlsx"}, className="download"),
    ], className="downloads")


def resolve(key: str, fmt) -> tuple[Download, list[str]]:
    """The registered download a button names, or a bad request (400): unknown key, format or choice."""
    from werkzeug.exceptions import BadRequest

    if not isinstance(key, str) or fmt not in ("csv", "xlsx"):
        raise BadRequest("Ukendt download.")
    name, *args = key.split(":")
    found = DOWNLOADS.get(name)
    if found is None or len(args) > len(found.choices) or any(
            a not in allowed for a, allowed in zip(args, found.choices, strict=False)):
        raise BadRequest("Ukendt download.")
    return found, args


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(v: str) -> str:
    """A text cell that a spreadsheet would read as a formula starts with an apostrophe (OWASP)."""
    return "'" + v if v.startswith(FORMULA_START) else v


def for_download(df: pl.DataFrame, labels: dict[str, str]) -> tuple[list[str], list[list], list[str]]:
    """Headers (Danish), rows (numbers as numbers, a suppressed figure empty) and each column's kind
    ('share', 'int', 'float', 'date', 'text'). A flag column says which rows are suppressed."""
    from datetime import date, datetime
    from decimal import Decimal

    names = [n for n in df.columns if n != "is_suppressed"]
    kinds = []
    for n in names:
        dt = df[n].dtype
        kinds.append("share" if dt.is_numeric() and any(w in n for w in SHARE_WORDS) else
                     "int" if dt.is_integer() else "float" if dt.is_numeric() else
                     "date" if dt in (pl.Date, pl.Datetime) else "text")
    rows = []
    for r in df.iter_rows(named=True):
        row = []
        for n, k in zip(names, kinds, strict=True):
            v = r[n]
            if isinstance(v, bool):
                v = "ja" if v else "nej"
            elif isinstance(v, Decimal):
                v = int(v) if k == "int" or v == v.to_integral_value() and k != "share" else float(v)
            if isinstance(v, datetime):
                v = local(v).replace(tzinfo=None)
            elif k == "text" and v is not None:
                v = safe_text(v if isinstance(v, str) else str(v))
            elif k == "date" and isinstance(v, date):
                pass
            row.append(v)
        if "is_suppressed" in df.columns:
            row.append("ja" if r["is_suppressed"] else "nej")
        rows.append(row)
    headers = [labels.get(n, n) for n in names]
    if "is_suppressed" in df.columns:
        headers.append(FLAG)
        kinds.append("text")
    return headers, rows, kinds


def _csv_cell(v, kind: str) -> str:
    from datetime import date, datetime

    if v is None:
        return ""
    if isinstance(v, bool):
        return "ja" if v else "nej"
    if isinstance(v, datetime):
        return f"{v:%d-%m-%Y %H:%M}"
    if isinstance(v, date):
        return f"{v:%d-%m-%Y}"
    if isinstance(v, float):
        return repr(v).replace(".", ",") if kind != "int" else str(int(v))
    return str(v)


def download_payload(key: str, fmt: str, filters: Filters, about: list[tuple[str, str]] | None = None) -> dict:
    """The file: CSV for Danish Excel (BOM, ';', decimal commas, Danish headers) or Excel with real
    numbers, each with what it holds — municipality, filters, reference date, build — on top (CSV)
    or on a sheet of its own (Excel)."""
    import csv
    from datetime import datetime

    found, args = resolve(key, fmt)
    df = found.fn(filters, *args)
    headers, rows, kinds = for_download(df, found.labels)
    about = [("Indhold", found.title), *(about or [])]
    stem = "_".join([key.split(":")[0], *args, filters.municipality,
                     f"{filters.date:%d-%m-%Y}" if filters.date else "seneste"])
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        for k, v in about:
            w.writerow([k, safe_text(v)])
        w.writerow([])
        w.writerow(headers)
        for row in rows:
            w.writerow([_csv_cell(v, k) for v, k in zip(row, kinds, strict=True)])
        return dcc.send_string("\ufeff" + buf.getvalue(), f"{stem}.csv")  # the browser writes it as UTF-8
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    formats = {"share": book.add_format({"num_format": "0.0%"}), "float": book.add_format({"num_format": "0.00"}),
               "date": book.add_format({"num_format": "dd-mm-yyyy"}), "int": None, "text": None}
    sheet = book.add_worksheet("Tal")
    sheet.write_row(0, 0, headers, bold)
    for i, row in enumerate(rows, start=1):
        for j, (v, k) in enumerate(zip(row, kinds, strict=True)):
            if v is None:
                continue
            if k == "date":
                sheet.write_datetime(i, j, v if isinstance(v, datetime) else datetime(v.year, v.month, v.day),
                                     formats["date"])
            elif isinstance(v, bool):
                sheet.write_string(i, j, "ja" if v else "nej")
            elif isinstance(v, int | float):
                sheet.write_number(i, j, v, formats[k] if k in ("share", "float") else None)
            else:
                sheet.write_string(i, j, str(v))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), max(len(headers) - 1, 0))
    for j, h in enumerate(headers):
        sheet.set_column(j, j, max(10, min(40, len(h) + 2)))
    info = book.add_worksheet("Om udtrækket")
    for i, (k, v) in enumerate(about):
        info.write_string(i, 0, k, bold)
        info.write_string(i, 1, safe_text(v))
    info.set_column(0, 0, 22)
    info.set_column(1, 1, 80)
    book.close()
    return dcc.send_bytes(out.getvalue(), f"{stem}.xlsx")


SHOWN = 500  # rows of an action list sent to the browser; the download has them all


def shown_of(shown: int, total: int) -> html.P:
    if total == 0:
        text = "Ingen forløb på listen."
    elif total <= shown:
        text = "Viser det ene forløb." if total == 1 else f"Viser alle {number(total)} forløb."
    else:
        text = (f"Viser de {number(shown)} længst ventende af {number(total)} forløb; hent hele listen som CSV "
                "eller Excel.")
    return html.P(text, className="definition")


def section(title: str, definition: str, *children, section_id: str | None = None):
    extra = {"id": section_id} if section_id else {}
    return html.Section([html.H2(title), html.P(definition, className="definition"), *children],
                        className="section", **extra)


def page_content(content_id: str, controls: tuple[tuple[str, str], ...] = ()):
    """Wire a page's render(filters, *control values) to the global filters and the page's own
    controls, given as (component id, default value); returns render unchanged. The page gets only
    the filters its registration says it honours (the others as if unset)."""
    import dash
    from dash import Input, Output

    from dashboards import data

    def register(render):
        module = render.__module__

        @dash.callback(Output(content_id, "children"), *[Input(i, "value") for i, _ in controls],
                       *[Input(i, "value") for i in FILTER_IDS])
        def _update(*values):
            own = [v or default for v, (_, default) in zip(values[:len(controls)], controls, strict=True)]
            try:
                filters = filters_from(values[len(controls):])
                data.check_filters(filters.municipality, filters.team)
                return render(filters.honouring(contract_of(module)), *own)
            except data.NoPublicationError as exc:
                return html.Div(str(exc), className="alert", id="no-data")
        return render
    return register
