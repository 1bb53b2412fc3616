"""Numbers decided as a person reads them: half-up rounding and exact boundaries, at numpy speed.

A figure in a council's data is a decimal someone typed (94.41, 2.5, 0.125); Python holds it as the
nearest binary float, which is a hair above or below. Two things then go wrong in plain float code:

* rounding: numpy and ``format`` round half to even on the binary value, so 2.5 shows "2" and
  0.125 shows "0.12", where councils (and Excel) round half away from zero: "3" and "0.13";
* boundaries: 1.00 -> 0.99 with a 1% band is not "within 1%", because 1 - 0.99 != 0.01 in binary.

Here every figure means its **decimal value at 15 significant digits**: exactly what was typed for any
figure of up to 15 digits (all a council's data), and, for a figure the pipeline worked out (a target
profiled as 54 x 7/12 = 31.500000000000004), the binary noise beyond dropped, as Excel does.

The work is done in floats for whole columns; only rows whose float result is within a tiny relative
distance (:data:`NEAR`) of the decision point, where binary noise could tip it, are worked out again
exactly in :class:`decimal.Decimal`. Real data has few such rows, so the cost stays that of numpy.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

#: A float result within this fraction of the magnitudes involved of a decision point may be binary
#: noise (floats carry ~1e-16, figures at 15 digits ~5e-15), so such rows are decided exactly.
NEAR = 1e-12

#: Significant digits a figure is read to (Excel's precision; any float survives 15 digits round trip).
SIGNIFICANT_DIGITS = 15

#: What a margin function of :func:`decide` works on: float arrays, or Decimals on the exact path.
Figures = Any

#: Beyond this many units a float has no fractional digits left to round: decided exactly instead.
_WHOLE = 2.0**51

# Exact arithmetic for the few near rows: + - * and abs of 15-digit decimals never round at this
# precision, and quantize rounds half up.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, rounding=ROUND_HALF_UP, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def typed(x: float) -> Decimal:
    """The decimal a float stands for: its value at 15 significant digits (what was typed)."""
    return Decimal(f"{float(x):.{SIGNIFICANT_DIGITS}g}")


_POW10 = 10.0 ** np.arange(23)


def _pow10(decimals: np.ndarray) -> np.ndarray:
    """10 ** |decimals| as exact floats (a table look-up for whole places up to 22, much faster)."""
    places = np.abs(decimals)
    if places.ndim and len(places) and places.max() <= 22 and (places == np.floor(places)).all():
        table: np.ndarray = _POW10[places.astype(np.intp)]
        return table
    powers: np.ndarray = 10.0**places
    return powers


def _exact_units(x: float, decimals: int) -> float:
    """:func:`half_up_units` for one value, in Decimal."""
    return float(typed(x).scaleb(int(decimals), _EXACT).quantize(Decimal(1), context=_EXACT))


def half_up_units(x: Any, decimals: Any) -> np.ndarray:
    """``x`` rounded half away from zero to ``decimals`` places, as a count of units of 10**-decimals.

    Comparing units is how "equal at the displayed decimals" is decided without dividing back.
    ``decimals`` may be negative (round to tens, thousands) and may be an array aligned with ``x``.
    NaN stays NaN; the result is a float array of whole numbers.
    """
    x = np.asarray(x, dtype=float)
    d = np.asarray(decimals, dtype=float)
    p = _pow10(d)
    if d.ndim == 0:
        scaled = x * p if d >= 0 else x / p
    elif (d < 0).any():
        scaled = np.where(d >= 0, x * p, x / p)
    else:
        scaled = x * p
    a = np.abs(scaled)
    whole = np.floor(a)
    with np.errstate(invalid="ignore"):  # inf - inf: an infinite figure has no fraction to round
        frac = a - whole
    units: np.ndarray = np.copysign(whole + (frac >= 0.5), scaled) + 0.0  # + 0.0 turns -0.0 into 0.0
    # Near a half, or too large for a float to hold fractions: binary noise could decide, so exactly.
    near = np.abs(frac - 0.5) <= NEAR * (a + 1.0)
    if np.any(a >= _WHOLE):
        near |= (a >= _WHOLE) & np.isfinite(a)
    if not near.any():
        return units
    shape = np.shape(scaled)
    units = np.array(units, dtype=float, ndmin=1).ravel()
    xs, ds = np.broadcast_to(x, shape).ravel(), np.broadcast_to(d, shape).ravel()
    for i in np.flatnonzero(near):
        units[i] = _exact_units(xs[i], ds[i]) + 0.0
    return units.reshape(shape)


def round_half_up(x: Any, decimals: Any = 0) -> Any:
    """``x`` rounded half away from zero at ``decimals`` places, as a person (or Excel) rounds.

    2.5 -> 3.0, -2.5 -> -3.0, 0.125 at 2 -> 0.13, 1.005 at 2 -> 1.01, 2.675 at 2 -> 2.68: the typed
    decimal is rounded, not the binary float below it. Works on scalars and numpy arrays (``decimals``
    may be an array aligned with ``x``); NaN stays NaN; never returns -0.0. The result is the float
    nearest to the rounded decimal, so it prints exactly at ``decimals`` places.
    """
    units = half_up_units(x, decimals)
    d = np.asarray(decimals, dtype=float)
    p = _pow10(d)
    out = np.where(d >= 0, units / p, units * p) if d.ndim else (units / p if d >= 0 else units * p)
    if np.ndim(x) == 0:
        return float(out)
    return out


def format_number(x: float, decimals: int = 0) -> str:
    """``x`` at ``decimals`` places with thousands separators, rounded half up; never "-0" or "-0.0"."""
    rounded = round_half_up(float(x), decimals)
    return f"{rounded:,.{max(int(decimals), 0)}f}"


def decimals_shown(x: float, most: int) -> int:
    """Places needed to show ``x`` rounded half up at ``most`` places, trailing zeros dropped.

    133.3333 with most 2 -> 2 ("133.33"); 2.5 with most 4 -> 1 ("2.5"); 90 -> 0 ("90").
    """
    most = max(int(most), 0)
    text = f"{abs(round_half_up(float(x), most)):.{most}f}"
    return len(text.partition(".")[2].rstrip("0"))


def _rows(arg: Any, rows: np.ndarray | np.integer) -> Any:
    """The given rows (or one row) of an argument that is either an aligned array or one number for every row."""
    return arg[rows] if np.ndim(arg) else arg


def decide(
    margin_of: Callable[..., Figures],
    args: Sequence[Any],
    scale_of: Callable[..., Figures],
    *,
    strict: bool = False,
    where: np.ndarray | None = None,
) -> np.ndarray:
    """``margin_of(*args) >= 0`` (``> 0`` when ``strict``) for every row, on the figures as typed.

    ``margin_of`` is written once with ``+``, ``-``, ``*`` and ``abs`` and is evaluated over the float
    columns for every row, then again in exact Decimal arithmetic for the rows (of ``where``, if
    given) whose float margin is within :data:`NEAR` x ``scale_of(*args)`` of zero: only there can
    binary noise decide. ``scale_of`` gives the size of the terms (for ``v - t + tol * |t|``:
    ``|v| + |t| * (1 + |tol|)``) and must grow with each argument's magnitude, because it is first
    called with every column's largest magnitude to screen the whole column in one comparison.
    ``args`` are aligned 1-d arrays or single numbers. A NaN margin is False.
    """
    margin = np.asarray(margin_of(*args), dtype=float)
    result = margin > 0 if strict else margin >= 0
    screen = NEAR * scale_of(*(_largest(np.asarray(a, dtype=float)) for a in args))
    rows = np.flatnonzero(np.abs(margin) <= screen)
    if where is not None:
        rows = rows[where[rows]]
    if len(rows):
        rows = rows[np.abs(margin[rows]) <= NEAR * np.abs(scale_of(*(_rows(a, rows) for a in args)))]
    if len(rows):
        result = np.array(result, copy=True)
        with decimal.localcontext(_EXACT):
            for i in rows:
                exact = margin_of(*(typed(_rows(a, i)) for a in args))
                result[i] = exact > 0 if strict else exact >= 0
    return result


def compare(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sign of typed ``a`` - typed ``b`` for aligned 1-d arrays: -1, 0 or 1, NaN where either is NaN.

    Floats of typed figures already compare as the decimals do; only values a hair apart (within
    :data:`NEAR`, such as a profiled target 31.500000000000004 against a typed 31.5) can be the same
    figure at 15 digits, and only those are looked at again.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    diff = a - b
    order = np.sign(diff)
    gap = np.abs(diff)
    near = gap <= NEAR * (_largest(a) + _largest(b))
    near &= gap > 0
    rows = np.flatnonzero(near)
    if len(rows):
        rows = rows[gap[rows] <= NEAR * (np.abs(a[rows]) + np.abs(b[rows]))]
        for i in rows:
            if gap[i] <= TWIN_ULPS * np.spacing(max(abs(a[i]), abs(b[i]))):
                order[i] = 0  # a few binary steps apart: one figure and its noisy twin
                continue
            x, y = _on_common_quantum(float(a[i]), float(b[i]))
            order[i] = (x > y) - (x < y)
    result: np.ndarray = order
    return result


#: Floats this many binary steps apart or fewer are one figure. Two different figures of at most 15
#: significant digits are always more than 5 steps apart, so no real difference is lost.
TWIN_ULPS = 4


def _on_common_quantum(a: float, b: float) -> tuple[Decimal, Decimal]:
    """Both figures at 15 significant digits of the larger one.

    Reading each at its own 15 digits would part a figure from its noisy twin just below a power
    of ten (-1e-06 reads -1.00000000000000e-6, one a few binary steps nearer zero reads
    -9.99999999999999e-7); one quantum for the pair keeps them the same figure.
    """
    big = max(abs(a), abs(b))
    if big == 0:
        return Decimal(0), Decimal(0)
    quantum = Decimal(1).scaleb(typed(big).adjusted() - (SIGNIFICANT_DIGITS - 1))
    return (Decimal(a).quantize(quantum, context=_EXACT), Decimal(b).quantize(quantum, context=_EXACT))


def _largest(x: np.ndarray) -> float:
    """The largest magnitude in ``x``, ignoring NaN (0 when empty)."""
    if x.size == 0:
        return 0.0
    flat = x.ravel()
    return float(np.fmax(np.fmax.reduce(flat), -np.fmin.reduce(flat)))


def equal_when_shown(a: Any, b: Any, decimals: Any) -> np.ndarray:
    """Whether ``a`` and ``b`` read the same once each is rounded half up at ``decimals`` places.

    2.45 and 2.5 at 1 place both show "2.5". Only pairs less than one and a half displayed units apart
    can read the same, so only those are rounded (the rest of a column costs a subtraction). NaN is
    never equal.
    """
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(decimals))
    a, b, d = (np.broadcast_to(np.asarray(v, dtype=float), shape).ravel() for v in (a, b, decimals))
    diff = a - b
    same = diff == 0
    p = _pow10(d)
    apart = np.abs(diff) * (np.where(d >= 0, p, 1.0 / p) if (d < 0).any() else p)
    maybe = (apart < 1.5) & ~same
    # Float error in ``apart`` stays far below half a unit unless figures run to 2**50 units.
    if max(_largest(a), _largest(b)) * _largest(p) >= 2.0**50:
        maybe = ~same & ~np.isnan(diff)
    if maybe.any():
        same[maybe] = half_up_units(a[maybe], d[maybe]) == half_up_units(b[maybe], d[maybe])
    reshaped: np.ndarray = same.reshape(shape)
    return reshaped
