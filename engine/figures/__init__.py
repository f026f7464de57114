"""Anonymised figures for the MED committees: facts kept per case, figures defined once, small cells suppressed."""
from engine.figures.service import (
    FIGURE_ROLES,
    BreakdownFigure,
    DurationFigure,
    FigureSettings,
    FiguresReport,
    FiguresService,
    FigureUnit,
    StepFigure,
    TallyFigure,
)
from engine.figures.suppression import HIDDEN, SHOWN, SMALL, Cell, Grid, Table

__all__ = ["FIGURE_ROLES", "BreakdownFigure", "DurationFigure", "FigureSettings", "FiguresReport", "FiguresService", "FigureUnit",
           "StepFigure", "TallyFigure", "Cell", "Grid", "Table", "SHOWN", "SMALL", "HIDDEN"]
