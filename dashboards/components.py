"""Building blocks shared by the pages: formatting, tables, charts, downloads, filters.

Numbers are written the Danish way (1.234,5 and 40,2 %). A suppressed figure (about fewer than
five citizens) is shown as "<5", never as 0 or blank. Colours are the Okabe–Ito palette, which
stays distinguishable with the common colour-vision deficiencies and on a projector.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
from dash import dash_table, dcc, html

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GOOD, BAD = "#009E73", "#D55E00"
SUPPRESSED = "<5"


@dataclass(frozen=True)
class Filters:
    municipality: str = "ALLE"
    date: object = None
    target_group: str | None = None
    team: str | None = None
    experiment: str | None = None


FILTER_IDS = ("f-kommune", "f-dato", "f-maalgruppe", "f-team", "f-forsoeg")


def filters_from(values) -> Filters:
    from datetime import date

    kommune, dato, maalgruppe, team, forsoeg = values
    return Filters(kommune or "ALLE", date.fromisoformat(dato) if dato else None,
                   maalgruppe or None, team or None, forsoeg or None)


# --- formatting ---------------------------------------------------------------------------------

def number(x, decimals: int = 0) -> str:
    if x is None:
        return "–"
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\u00a0").replace(".", ",").replace("\u00a0", ".")


def pct(x, decimals: int = 1) -> str:
    return "–" if x is None else number(x * 100, decimals) + " %"


def value(x, unit: str) -> str:
    if unit == "andel":
        return pct(x)
    if unit in ("dage", "sager", "forløb"):
        return number(x, 1 if unit == "sager" else 0)
    return number(x, 2)


SHARE_WORDS = ("share", "retention")


def display(df: pl.DataFrame, labels: dict[str, str] | None = None) -> pl.DataFrame:
    """A frame as people read it: shares as %, Danish numbers, suppressed figures as "<5"."""
    labels = labels or {}
    suppressed = df["is_suppressed"] if "is_suppressed" in df.columns else pl.Series([False] * df.height)
    cols = {}
    for name in df.columns:
        if name == "is_suppressed":
            continue
        s = df[name]
        if s.dtype.is_numeric():
            is_share = any(w in name for w in SHARE_WORDS)
            decimals = 1 if is_share or s.dtype.is_float() else 0
            texts = [pct(v) if is_share else number(v, decimals if s.dtype.is_float() else 0) for v in s.to_list()]
            texts = [SUPPRESSED if sup and v is None else t
                     for t, v, sup in zip(texts, s.to_list(), suppressed.to_list(), strict=True)]
            cols[labels.get(name, name)] = texts
        else:
            cols[labels.get(name, name)] = [None if v is None else str(v) for v in s.to_list()]
    return pl.DataFrame(cols, schema={k: pl.String for k in cols}) if cols else pl.DataFrame()


def for_download(df: pl.DataFrame) -> pl.DataFrame:
    """Numbers kept as numbers, but a suppressed row's empty figures say "<5"."""
    if "is_suppressed" not in df.columns:
        return df
    out = {}
    for name in df.columns:
        if name == "is_suppressed":
            continue
        s = df[name]
        if s.dtype.is_numeric() and s.null_count():
            out[name] = [SUPPRESSED if (v is None and sup) else (None if v is None else v)
                         for v, sup in zip(s.to_list(), df["is_suppressed"].to_list(), strict=True)]
            out[name] = pl.Series(name, [None if v is None else str(v) for v in out[name]], dtype=pl.String)
        else:
            out[name] = s
    return pl.DataFrame(out)


def table(df: pl.DataFrame, table_id: str, labels: dict[str, str] | None = None, page_size: int = 15):
    shown = display(df, labels)
    return dash_table.DataTable(
        id=table_id, data=shown.to_dicts(), columns=[{"name": c, "id": c} for c in shown.columns],
        page_size=page_size, sort_action="native", style_as_list_view=True,
        style_cell={"fontFamily": "inherit", "fontSize": "15px", "padding": "6px", "textAlign": "left"},
        style_header={"fontWeight": "bold", "backgroundColor": "#f2f2f2"},
    )


# --- charts ---------------------------------------------------------------------------------------

def _layout(fig: go.Figure, title: str, y_title: str = "", percent: bool = False) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 18}}, template="simple_white", colorway=PALETTE,
        font={"size": 15}, margin={"l": 60, "r": 20, "t": 60, "b": 50}, height=380,
        legend={"orientation": "h", "y": -0.2}, separators=",.", yaxis_title=y_title,
    )
    if percent:
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return fig


def line(x, ys: dict[str, list], title: str, percent: bool = False, target: float | None = None,
         y_title: str = "", bands: dict[str, tuple[list, list]] | None = None) -> go.Figure:
    fig = go.Figure()
    for i, (name, y) in enumerate(ys.items()):
        colour = PALETTE[i % len(PALETTE)]
        if bands and name in bands:
            low, high = bands[name]
            fig.add_trace(go.Scatter(x=list(x) + list(x)[::-1], y=list(high) + list(low)[::-1], fill="toself",
                                     fillcolor=colour, opacity=0.15, line={"width": 0}, hoverinfo="skip",
                                     showlegend=False))
        fig.add_trace(go.Scatter(x=list(x), y=list(y), name=name, mode="lines+markers", line={"color": colour}))
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color="#555", annotation_text="Mål")
    return _layout(fig, title, y_title, percent)


def bars(categories, values: dict[str, list], title: str, percent: bool = False, target: float | None = None,
         errors: dict[str, tuple[list, list]] | None = None, y_title: str = "",
         suppressed: list[bool] | None = None) -> go.Figure:
    fig = go.Figure()
    cats = [str(c) for c in categories]
    for i, (name, v) in enumerate(values.items()):
        err = None
        if errors and name in errors:
            low, high = errors[name]
            err = {"type": "data", "symmetric": False,
                   "array": [None if (h is None or y is None) else h - y for y, h in zip(v, high, strict=True)],
                   "arrayminus": [None if (lo is None or y is None) else y - lo for y, lo in zip(v, low, strict=True)]}
        text = [SUPPRESSED if (suppressed and suppressed[j]) else None for j in range(len(cats))]
        fig.add_trace(go.Bar(x=cats, y=[0 if y is None else y for y in v], name=name, error_y=err,
                             marker_color=PALETTE[i % len(PALETTE)], text=text, textposition="outside"))
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color="#555", annotation_text="Mål")
    return _layout(fig, title, y_title, percent)


def graph(fig: go.Figure, graph_id: str, download_key: str | None = None, *download_args: str):
    parts = [dcc.Graph(id=graph_id, figure=fig, config={"displaylogo": False, "locale": "da"})]
    if download_key:
        parts.append(download_buttons(download_key, *download_args))
    return html.Div(parts, className="chart")


# --- downloads ------------------------------------------------------------------------------------

DOWNLOADS: dict[str, Callable[[Filters], pl.DataFrame]] = {}


def downloadable(key: str):
    """Register the function that gives a chart's numbers for the current filters."""
    def register(fn):
        DOWNLOADS[key] = fn
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


def download_payload(key: str, fmt: str, filters: Filters) -> dict:
    key, *args = key.split(":")
    if key not in DOWNLOADS or fmt not in ("csv", "xlsx"):
        from dashboards.scope import Forbidden

        raise Forbidden("Ukendt download.")
    df = for_download(DOWNLOADS[key](filters, *args))
    name = f"{key}.{fmt}"
    if fmt == "csv":
        text = df.write_csv(separator=";")
        return dcc.send_string(text, name)
    buf = io.BytesIO()
    df.write_excel(buf, worksheet=key[:31])
    return dcc.send_bytes(buf.getvalue(), name)


SHOWN = 500  # rows of an action list sent to the browser; the download has them all


def shown_of(shown: int, total: int) -> html.P:
    text = (f"Viser alle {number(total)}." if total <= shown else
            f"Viser de {number(shown)} længst ventende af {number(total)}; hent hele listen som CSV eller Excel.")
    return html.P(text, className="definition")


def section(title: str, definition: str, *children, section_id: str | None = None):
    extra = {"id": section_id} if section_id else {}
    return html.Section([html.H2(title), html.P(definition, className="definition"), *children],
                        className="section", **extra)


def page_content(content_id: str, controls: tuple[tuple[str, str], ...] = ()):
    """Wire a page's render(filters, *control values) to the global filters and the page's own
    controls, given as (component id, default value); returns render unchanged."""
    import dash
    from dash import Input, Output

    from dashboards import data

    def register(render):
        @dash.callback(Output(content_id, "children"), *[Input(i, "value") for i, _ in controls],
                       *[Input(i, "value") for i in FILTER_IDS])
        def _update(*values):
            own = [v or default for v, (_, default) in zip(values[:len(controls)], controls, strict=True)]
            try:
                filters = filters_from(values[len(controls):])
                data.check_filters(filters.municipality, filters.team)
                return render(filters, *own)
            except data.NoPublicationError as exc:
                return html.Div(str(exc), className="alert", id="no-data")
        return render
    return register
