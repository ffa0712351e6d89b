"""Economic cost of a shutdown: our own model, in the spirit of the Internet Society's
NetLoss calculator (whose coefficients are not published). Pure: no Django import; the
inputs arrive as ``Input`` values that say where each came from.

    cost = daily GDP × Internet economy share × type factor × affected share × days

* daily GDP = yearly GDP (World Bank NY.GDP.MKTP.CD, current US$, of the event's year or
  the latest year before it) ÷ 365;
* Internet economy share: the share of GDP that depends on the Internet. Default
  ``DEFAULT_DIGITAL_SHARE`` (5 %, within the 3–7 % range the OECD and UNCTAD give for
  the digital economy's direct contribution); a country indicator replaces it when one is
  imported;
* type factor: a full network shutdown stops all of it (1.0); mobile only stops the share
  of Internet activity carried on mobile networks (``MOBILE_FACTOR`` 0.6, a documented
  assumption: most users in the countries that shut down reach the Internet by mobile);
  blocking named services stops the activity on those services (``SERVICE_FACTOR`` 0.2);
* affected share: 1 for a national event; for a regional one, the affected population
  share when known, else ``DEFAULT_REGIONAL_SHARE`` (0.1), labelled as an assumption;
* days: the event's duration (an ongoing event up to now).

Without GDP for the country the estimate says "no GDP data" and gives no figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

MODEL_VERSION = "isoc-shutdown-cost-1"
DEFAULT_DIGITAL_SHARE = 0.05
MOBILE_FACTOR = 0.6
SERVICE_FACTOR = 0.2
DEFAULT_REGIONAL_SHARE = 0.1
TYPE_FACTORS = {"full": 1.0, "mobile": MOBILE_FACTOR, "service": SERVICE_FACTOR}
FORMULA = "cost = GDP ÷ 365 × Internet economy share × type factor × affected share × days"


@dataclass(frozen=True)
class Input:
    """One input of an estimate: its value, and where it came from."""

    name: str
    value: float
    source: str  # a dataset slug, or "assumption (isoc model)"
    year: int | None = None


@dataclass(frozen=True)
class Estimate:
    country: str
    shutdown_type: str
    days: float
    amount: Decimal | None  # None: not enough data
    currency: str = "USD"
    formula: str = FORMULA
    inputs: tuple[Input, ...] = field(default_factory=tuple)
    note: str = ""
    model: str = MODEL_VERSION

    def as_dict(self) -> dict:
        return {
            "country": self.country, "shutdown_type": self.shutdown_type, "days": round(self.days, 4),
            "amount": str(self.amount) if self.amount is not None else None, "currency": self.currency,
            "formula": self.formula, "note": self.note, "model": self.model,
            "inputs": [{"name": i.name, "value": i.value, "source": i.source, "year": i.year} for i in self.inputs],
        }


ASSUMPTION = "assumption (isoc model)"


def estimate(*, country: str, shutdown_type: str, starts_at: datetime, ends_at: datetime | None, now: datetime,
             gdp: Input | None, digital_share: Input | None = None, affected_share: Input | None = None,
             national: bool = True) -> Estimate:
    """The estimated GDP lost to one shutdown; see the module docstring for the model."""
    end = ends_at if ends_at is not None else now
    days = max((end - starts_at) / timedelta(days=1), 0.0)
    if shutdown_type not in TYPE_FACTORS:
        raise ValueError(f"unknown shutdown type {shutdown_type!r}")
    if gdp is None or not gdp.value or gdp.value <= 0:
        return Estimate(country, shutdown_type, days, None, note="no GDP data")
    share = digital_share or Input("Internet economy share", DEFAULT_DIGITAL_SHARE, ASSUMPTION)
    factor = Input(f"type factor ({shutdown_type})", TYPE_FACTORS[shutdown_type], ASSUMPTION)
    if national:
        affected = Input("affected share", 1.0, "national event")
    else:
        affected = affected_share or Input("affected share (regional, unknown population)", DEFAULT_REGIONAL_SHARE, ASSUMPTION)
    daily = Input("daily GDP (US$)", gdp.value / 365, gdp.source, gdp.year)
    amount = daily.value * share.value * factor.value * affected.value * days
    return Estimate(country, shutdown_type, days,
                    Decimal(str(amount)).quantize(Decimal("1"), rounding=ROUND_HALF_UP),
                    inputs=(gdp, daily, share, factor, affected, Input("days", days, "event start and end")))


def estimate_for_event(event, *, now: datetime | None = None, keep_empty: bool = False) -> Estimate | None:
    """The estimate for a stored ShutdownEvent (the pages and the API call this); None
    without GDP data unless ``keep_empty``. The database look-ups happen in
    ``services.cost_inputs_for``, so this module itself needs no Django."""
    from isoc.shutdowns.services import cost_inputs_for

    from_db = cost_inputs_for(event.country_id, event.starts_at.year)
    est = estimate(country=event.country_id, shutdown_type=event.shutdown_type, starts_at=event.starts_at,
                   ends_at=event.ends_at, now=now or datetime.now(event.starts_at.tzinfo),
                   national=event.scope == "national", **from_db)
    return est if est.amount is not None or keep_empty else None
