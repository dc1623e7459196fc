"""Fee lines of one chunk's encounters: the care pathway of each category, vectorized.

A line's `kind` says why it is there: 0 the encounter's frame (consultation, bed, nursing),
1 the pathway, 2 inflation by an anomalous institution or practitioner, 3 an injection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from medins.generator.casemix import CATEGORIES, CHRONIC, EMERGENCY, INPATIENT, PHARMACY
from medins.generator.catalog import Catalog
from medins.generator.encounters import DAY, HOUR
from medins.generator.persons import Persons
from medins.generator.registry import Registry

MINUTE = 60
CHILD_AGE = 14  # under this age a category's child drugs are used
HERB_LINES = 8


@dataclass
class LineBuffer:
    """Columns of fee lines as they are drawn, concatenated once at the end."""

    parts: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {k: [] for k in ("enc", "item", "t", "cnt", "prd", "kind")}
    )

    def add(self, enc, item, t, cnt=1, prd=None, kind=1) -> None:
        n = len(enc)
        if n == 0:
            return
        self.parts["enc"].append(np.asarray(enc, dtype=np.int64))
        self.parts["item"].append(np.broadcast_to(item, n).astype(np.int32))
        self.parts["t"].append(np.broadcast_to(t, n).astype(np.int64))
        self.parts["cnt"].append(np.broadcast_to(cnt, n).astype(np.int64))
        self.parts["prd"].append(np.broadcast_to(-1 if prd is None else prd, n).astype(np.int32))
        self.parts["kind"].append(np.full(n, kind, dtype=np.int8))

    def frame(self, catalog: Catalog) -> pl.DataFrame:
        columns = {k: np.concatenate(v) if v else np.zeros(0) for k, v in self.parts.items()}
        price = catalog.column("price")
        return pl.DataFrame(columns).with_columns(
            pl.col("enc").cast(pl.Int64),
            pl.col("item").cast(pl.Int32),
            pric=pl.Series(price[columns["item"].astype(np.int64)], dtype=pl.Int64),
            prd=pl.when(pl.col("prd") >= 0).then(pl.col("prd")).cast(pl.Int32),
        )


@dataclass(frozen=True)
class Context:
    rng: np.random.Generator
    catalog: Catalog
    registry: Registry
    persons: Persons
    enc: dict[str, np.ndarray]  # encounter columns as arrays

    def pick(self, family: str, variant: np.ndarray) -> np.ndarray:
        return self.catalog.first(family) + np.asarray(variant) % self.catalog.size(family)

    def house(self, family: str, rows: np.ndarray) -> np.ndarray:
        """The institution's own variant of a service: one hospital uses one code."""
        return self.pick(family, self.enc["inst"][rows])


def build_lines(
    rng: np.random.Generator,
    catalog: Catalog,
    registry: Registry,
    persons: Persons,
    encounters: pl.DataFrame,
) -> pl.DataFrame:
    """Every encounter's lines; `encounters` must carry `enc` = its row number."""
    arrays = {name: encounters.get_column(name).to_numpy() for name in encounters.columns}
    ctx = Context(rng, catalog, registry, persons, arrays)
    out = LineBuffer()
    setting = arrays["setting"]
    _visits(ctx, out, np.flatnonzero((setting != INPATIENT) & (setting != PHARMACY)))
    _drugs(ctx, out, np.flatnonzero(setting == PHARMACY), pharmacy=True)
    _stays(ctx, out, np.flatnonzero(setting == INPATIENT))
    _inflate(ctx, out, np.flatnonzero(arrays["inflate"]))
    return out.frame(catalog)


def _visits(ctx: Context, out: LineBuffer, rows: np.ndarray) -> None:
    level = ctx.registry.inst_level[ctx.enc["inst"][rows]]
    emergency = ctx.enc["setting"][rows] == EMERGENCY
    t0 = ctx.enc["t0"][rows]
    for lv in (1, 2, 3):
        mine = (level == lv) & ~emergency
        out.add(rows[mine], ctx.house(f"consult_{lv}", rows[mine]), t0[mine], kind=0)
    out.add(rows[emergency], ctx.house("consult_er", rows[emergency]), t0[emergency], kind=0)
    _drugs(ctx, out, rows, pharmacy=False)
    cat = ctx.enc["cat"][rows]
    for c, category in enumerate(CATEGORIES):
        mine = rows[cat == c]
        when = ctx.enc["t0"][mine] + 20 * MINUTE
        for family, chance in category.labs:
            taken = mine[ctx.rng.random(len(mine)) < chance]
            out.add(taken, ctx.house(family, taken), ctx.enc["t0"][taken] + 20 * MINUTE)
        if category.treatment:
            out.add(mine, ctx.pick(category.treatment, ctx.rng.integers(0, 99, len(mine))), when)
        if category.herbs:
            _herbs(ctx, out, mine)


def _drugs(ctx: Context, out: LineBuffer, rows: np.ndarray, *, pharmacy: bool) -> None:
    """One line from each of the category's drug families, with days of supply."""
    cat, psn = ctx.enc["cat"][rows], ctx.enc["psn"][rows]
    child = ctx.persons.age[psn] < CHILD_AGE
    chronic = ctx.enc["setting"][rows] == CHRONIC
    prd = np.where(chronic, ctx.rng.integers(28, 31, len(rows)), ctx.rng.integers(3, 8, len(rows)))
    # A chronic patient gets the same drugs every month; an acute one whatever is at hand.
    variant = np.where(chronic, psn * 7 + 3, ctx.rng.integers(0, 1 << 20, len(rows)))
    box = ctx.catalog.column("box_days")
    for c, category in enumerate(CATEGORIES):
        for use_child in (False, True):
            families = (
                category.child_drugs if use_child and category.child_drugs else category.drugs
            )
            mine = np.flatnonzero((cat == c) & (child == use_child))
            for f, family in enumerate(families):
                item = ctx.pick(family, variant[mine] + f * 13)
                cnt = -(-prd[mine] // np.maximum(box[item], 1))
                t = ctx.enc["t0"][rows[mine]] + (2 if pharmacy else 25) * MINUTE
                out.add(rows[mine], item, t, cnt, prd[mine], kind=0 if pharmacy and f == 0 else 1)


def _herbs(ctx: Context, out: LineBuffer, rows: np.ndarray) -> None:
    """A decoction prescription: eight different pieces, grams × 7 doses."""
    start = ctx.rng.integers(0, ctx.catalog.size("herbs"), len(rows))
    for k in range(HERB_LINES):
        grams = ctx.rng.integers(6, 16, len(rows)) * 7
        out.add(rows, ctx.pick("herbs", start + k * 41), ctx.enc["t0"][rows] + 30 * MINUTE, grams)


def _stays(ctx: Context, out: LineBuffer, rows: np.ndarray) -> None:
    """Daily bed, nursing, ward round, infusion and drugs; exams on admission; surgery next day."""
    t0, t1 = ctx.enc["t0"][rows], ctx.enc["t1"][rows]
    nights = np.maximum(t1 // DAY - t0 // DAY, 1)
    stay_day = np.arange(nights.sum()) - np.repeat(np.cumsum(nights) - nights, nights)
    each = np.repeat(rows, nights)
    day_t = np.where(
        stay_day == 0,
        np.repeat(t0, nights) + 30 * MINUTE,
        (np.repeat(t0 // DAY, nights) + stay_day) * DAY + 9 * HOUR,
    )
    level = ctx.registry.inst_level[ctx.enc["inst"][each]]
    for lv in (1, 2, 3):
        out.add(
            each[level == lv], ctx.house(f"bed_{lv}", each[level == lv]), day_t[level == lv], kind=0
        )
    cat = ctx.enc["cat"][each]
    day_surgery = ctx.enc["med_type"][each] == "28"
    ward = each[~day_surgery]
    for c, category in enumerate(CATEGORIES):
        mine = (cat == c) & ~day_surgery
        out.add(each[mine], ctx.house(category.nursing, each[mine]), day_t[mine], kind=0)
    out.add(ward, ctx.house("consult_ip", ward), day_t[~day_surgery], kind=0)
    out.add(each, ctx.house("svc_infusion", each), day_t + 10 * MINUTE)
    stay_variant = ctx.rng.integers(0, 1 << 20, len(rows))
    fluid = ctx.pick("fluids", np.repeat(stay_variant, nights))
    out.add(each, fluid, day_t + 10 * MINUTE, ctx.rng.integers(1, 3, len(each)))
    for c, category in enumerate(CATEGORIES):
        mine = cat == c
        for f, family in enumerate(category.ip_drugs):
            item = ctx.pick(family, np.repeat(stay_variant, nights)[mine] + f * 17)
            out.add(each[mine], item, day_t[mine] + 20 * MINUTE)
    _admission_and_surgery(ctx, out, rows)


def _admission_and_surgery(ctx: Context, out: LineBuffer, rows: np.ndarray) -> None:
    cat, t0 = ctx.enc["cat"][rows], ctx.enc["t0"][rows]
    surgery_t = np.where(
        ctx.enc["t1"][rows] // DAY > t0 // DAY + 1, (t0 // DAY + 1) * DAY + 10 * HOUR, t0 + 2 * HOUR
    )
    for c, category in enumerate(CATEGORIES):
        mine = rows[cat == c]
        for family in category.ip_labs:
            out.add(mine, ctx.house(family, mine), t0[cat == c] + HOUR)
        for family in category.surgery:
            item = ctx.house(family, mine)
            out.add(mine, item, surgery_t[cat == c], 2 if family == "mat_surgical" else 1)


def _inflate(ctx: Context, out: LineBuffer, rows: np.ndarray) -> None:
    """An anomalous institution or practitioner orders three more tests every time."""
    start = ctx.rng.integers(0, ctx.catalog.size("inj_extra"), len(rows))
    inpatient = ctx.enc["setting"][rows] == INPATIENT
    for k in range(3):
        out.add(rows, ctx.pick("inj_extra", start + k), ctx.enc["t0"][rows] + 40 * MINUTE, kind=2)
    stays = rows[inpatient]
    for k in range(2):  # and one more each of the next days of a stay
        t = (ctx.enc["t0"][stays] // DAY + 1 + k) * DAY + 11 * HOUR
        inside = t < ctx.enc["t1"][stays]
        out.add(
            stays[inside],
            ctx.pick("inj_extra", start[inpatient][inside] + 3 + k),
            t[inside],
            kind=2,
        )
