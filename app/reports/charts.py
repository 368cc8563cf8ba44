"""Charts for the reports, as reportlab vector drawings (they print sharp at any size).

Amounts arrive as ``Decimal``; a chart needs coordinates, so they become floats here,
only for drawing. Every label a chart prints (category names, axis numbers) is formatted
by the caller's function in the report language; text in a drawing is never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from app.reports.common import CONTENT_WIDTH, fonts

BAR_COLOR = colors.HexColor("#3b6e99")
SECOND_COLOR = colors.HexColor("#c0883a")
LINE_COLOR = colors.HexColor("#b3261e")
GUIDE_COLOR = colors.HexColor("#7a7f85")
AXIS_FONT_SIZE = 6.5
LABEL_WIDTH = 48 * mm

Formatter = Callable[[float], str]


def _nice_max(value: float) -> float:
    """A round upper bound for an axis (1, 2, 2.5 or 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _clip(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence[Decimal],
    *,
    value_format: Formatter,
    title: str = "",
    second: Sequence[Decimal] | None = None,
    legend: tuple[str, str] | None = None,
    width: float = CONTENT_WIDTH,
) -> Drawing:
    """One bar per label (top to bottom in the order given), values written at the bars.

    With ``second``, each label gets a second, differently coloured bar (e.g. value
    before and after); ``legend`` names the two.
    """
    f = fonts()
    count = max(len(labels), 1)
    per_label = 11.0 if second is None else 17.0
    plot_height = count * per_label
    top_room = 14.0 if title or legend else 4.0
    height = plot_height + top_room + 16
    drawing = Drawing(width, height)
    if title:
        drawing.add(String(0, height - 9, title, fontName=f.bold, fontSize=8))
    chart = HorizontalBarChart()
    chart.x = LABEL_WIDTH
    chart.y = 12
    chart.width = width - LABEL_WIDTH - 34 * mm
    chart.height = plot_height
    series = [[float(v) for v in reversed(values)]]
    if second is not None:
        series.append([float(v) for v in reversed(second)])
    chart.data = series or [[0.0]]
    top = max([max(s) for s in series if s] + [0.0])
    bottom = min([min(s) for s in series if s] + [0.0])
    chart.valueAxis.valueMin = -_nice_max(-bottom) if bottom < 0 else 0
    chart.valueAxis.valueMax = _nice_max(top)
    chart.valueAxis.valueStep = (chart.valueAxis.valueMax - chart.valueAxis.valueMin) / 4
    chart.valueAxis.labels.fontName = f.regular
    chart.valueAxis.labels.fontSize = AXIS_FONT_SIZE
    chart.valueAxis.labelTextFormat = value_format
    chart.categoryAxis.categoryNames = [_clip(label) for label in reversed(labels)]
    chart.categoryAxis.labels.fontName = f.regular
    chart.categoryAxis.labels.fontSize = AXIS_FONT_SIZE + 0.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.visibleTicks = False
    chart.bars[0].fillColor = BAR_COLOR
    chart.bars[0].strokeColor = None
    if second is not None:
        chart.bars[1].fillColor = SECOND_COLOR
        chart.bars[1].strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 3
    chart.barLabelFormat = value_format
    chart.barLabels.fontName = f.regular
    chart.barLabels.fontSize = AXIS_FONT_SIZE
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    if legend is not None and second is not None:
        x = width - 80 * mm
        for name, color in zip(legend, (BAR_COLOR, SECOND_COLOR), strict=True):
            drawing.add(Line(x, height - 7, x + 9, height - 7, strokeColor=color, strokeWidth=5))
            drawing.add(String(x + 12, height - 9.5, name, fontName=f.regular, fontSize=7))
            x += 40 * mm
    return drawing


def vertical_bars(
    labels: Sequence[str],
    values: Sequence[Decimal],
    *,
    value_format: Formatter,
    title: str = "",
    width: float = CONTENT_WIDTH,
    height: float = 55 * mm,
) -> Drawing:
    """Columns over labels along the bottom (months, age groups), values above them."""
    f = fonts()
    drawing = Drawing(width, height)
    if title:
        drawing.add(String(0, height - 9, title, fontName=f.bold, fontSize=8))
    chart = VerticalBarChart()
    chart.x = 16 * mm
    chart.y = 14
    chart.width = width - 20 * mm
    chart.height = height - 14 - (16 if title else 6)
    data = [float(v) for v in values] or [0.0]
    chart.data = [data]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max(data + [0.0]))
    chart.valueAxis.valueStep = chart.valueAxis.valueMax / 4
    chart.valueAxis.labels.fontName = f.regular
    chart.valueAxis.labels.fontSize = AXIS_FONT_SIZE
    chart.valueAxis.labelTextFormat = value_format
    chart.categoryAxis.categoryNames = [_clip(label, 18) for label in labels] or [""]
    chart.categoryAxis.labels.fontName = f.regular
    chart.categoryAxis.labels.fontSize = AXIS_FONT_SIZE
    chart.bars[0].fillColor = BAR_COLOR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = value_format
    chart.barLabels.fontName = f.regular
    chart.barLabels.fontSize = AXIS_FONT_SIZE
    chart.barLabels.nudge = 5
    drawing.add(chart)
    return drawing


def pareto(
    values: Sequence[Decimal],
    *,
    value_format: Formatter,
    percent_format: Formatter,
    guides: Sequence[float] = (),
    title: str = "",
    x_label: str = "",
    buckets: int = 50,
    width: float = CONTENT_WIDTH,
    height: float = 70 * mm,
) -> Drawing:
    """A Pareto chart of ``values`` (highest first): columns for the value of each group
    of ranked items, a line for the cumulative share of the total (right axis, 0–100 %),
    and dashed guides at the ``guides`` shares (the ABC cut-offs).

    With more values than ``buckets``, neighbouring ranks are summed into equal groups,
    so 20,000 items still draw as a readable chart.
    """
    f = fonts()
    drawing = Drawing(width, height)
    if title:
        drawing.add(String(0, height - 9, title, fontName=f.bold, fontSize=8))
    ranked = [float(v) for v in values]
    total = sum(ranked)
    groups = max(1, min(buckets, len(ranked)))
    bounds = [round(i * len(ranked) / groups) for i in range(groups + 1)]
    columns = [sum(ranked[bounds[i] : bounds[i + 1]]) for i in range(groups)] or [0.0]
    left, right_room, bottom = 18 * mm, 14 * mm, 20.0
    plot_width = width - left - right_room
    plot_height = height - bottom - (18 if title else 8)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = left, bottom, plot_width, plot_height
    chart.data = [columns]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_max(max(columns))
    chart.valueAxis.valueStep = chart.valueAxis.valueMax / 4
    chart.valueAxis.labels.fontName = f.regular
    chart.valueAxis.labels.fontSize = AXIS_FONT_SIZE
    chart.valueAxis.labelTextFormat = value_format
    chart.categoryAxis.categoryNames = [""] * len(columns)
    chart.categoryAxis.visibleTicks = False
    chart.bars[0].fillColor = BAR_COLOR
    chart.bars[0].strokeColor = None
    chart.barSpacing = 0
    chart.groupSpacing = 1 if len(columns) > 20 else 4
    drawing.add(chart)

    # Cumulative share after each group, plotted at the group's right edge.
    running = 0.0
    points = [(0.0, 0.0)]
    for index, column in enumerate(columns):
        running += column
        points.append((float(index + 1), 100.0 * running / total if total else 0.0))
    line = LinePlot()
    line.x, line.y, line.width, line.height = left, bottom, plot_width, plot_height
    line.data = [points]
    line.lines[0].strokeColor = LINE_COLOR
    line.lines[0].strokeWidth = 1.2
    line.xValueAxis.valueMin = 0
    line.xValueAxis.valueMax = float(len(columns))
    line.xValueAxis.visible = False
    line.yValueAxis.valueMin = 0
    line.yValueAxis.valueMax = 100
    line.yValueAxis.valueStep = 20
    line.yValueAxis.visible = False
    drawing.add(line)
    # The right axis: the cumulative share, 0–100 %.
    axis_x = left + plot_width
    drawing.add(Line(axis_x, bottom, axis_x, bottom + plot_height, strokeColor=colors.black))
    for step in range(0, 101, 20):
        y = bottom + plot_height * step / 100
        drawing.add(Line(axis_x, y, axis_x + 2, y, strokeColor=colors.black, strokeWidth=0.5))
        drawing.add(
            String(
                axis_x + 4,
                y - 2,
                percent_format(float(step)),
                fontName=f.regular,
                fontSize=AXIS_FONT_SIZE,
            )
        )
    for share in guides:
        y = bottom + plot_height * share / 100
        drawing.add(
            Line(
                left,
                y,
                axis_x,
                y,
                strokeColor=GUIDE_COLOR,
                strokeWidth=0.5,
                strokeDashArray=[2, 2],
            )
        )
    if x_label:
        drawing.add(
            String(
                left + plot_width / 2,
                4,
                x_label,
                fontName=f.regular,
                fontSize=AXIS_FONT_SIZE + 0.5,
                textAnchor="middle",
            )
        )
    return drawing
