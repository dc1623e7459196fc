"""Reads of the policy app: the policy in force, a person's year so far, refund lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.cache import forget, remembered
from medins.compiled import CompiledValues
from medins.models import Role
from medins.selectors import AnyUser, institutions_visible_to, role_of
from settlement.models import Settlement
from settlement.policy import engine
from settlement.policy.models import (
    ChronicDiseaseQuota,
    DaySurgeryRate,
    NegotiatedDrug,
    PolicyScheme,
    PolicyVersion,
    RefundLine,
    RefundRun,
    SettlementUsage,
)

# Medical types whose fund payment counts against the outpatient annual quota when a stored
# settlement has no recorded usage (imported before the policy app recorded counters).
OUTPATIENT_QUOTA_MED_TYPES = ("11", "13", "41")


class PolicyNotFound(engine.PolicyError):
    """No published policy covers the claim; the message names what was looked for."""


def _prefixes(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split("|") if p.strip())


def version_in_force(*, day: date) -> PolicyVersion:
    """The latest published version whose period contains day; raises PolicyNotFound."""
    for version in _published_latest_first():
        if version.effective_from <= day and (
            version.effective_to is None or version.effective_to > day
        ):
            return version
    raise PolicyNotFound(
        _("No published policy is in force on %(day)s.") % {"day": day.isoformat()}
    )


# Every submission asks which version is in force: the published versions, latest first,
# are kept in the shared cache and forgotten whenever a version is saved or deleted (below).
PUBLISHED_KEY = "policy:published-versions"
PUBLISHED_FOR = 60  # seconds; a change forgets the copy at once (a Redis outage then: 60 s at most)


def _published_latest_first() -> list[PolicyVersion]:
    return remembered(
        PUBLISHED_KEY,
        lambda: list(
            PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED).order_by(
                "-published_at", "-pk"
            )
        ),
        PUBLISHED_FOR,
    )


def versions_with_authors() -> QuerySet[PolicyVersion]:
    """Every version, drafts too, with who wrote and published it."""
    return PolicyVersion.objects.select_related("created_by", "published_by", "based_on")


def version_rates(version: PolicyVersion) -> dict[str, QuerySet]:
    """The rows of one version, for reading: schemes, chronic quotas, day surgery, drugs."""
    return {
        "schemes": version.schemes.all(),
        "chronic_diseases": version.chronic_diseases.all(),
        "day_surgery_rates": version.day_surgery_rates.all(),
        "negotiated_drugs": version.negotiated_drugs.all(),
    }


def published_versions() -> QuerySet[PolicyVersion]:
    """Published versions, the latest first."""
    return PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED).order_by(
        "-published_at"
    )


def policy_set_of(
    *, version: PolicyVersion, insutype: str, med_type: str, institution_level: int
) -> engine.PolicySet:
    """The plain-data policy of one scheme of version; raises PolicyNotFound.

    A published version never changes: its policy sets are kept in the process (_kept)."""
    key = ("policy_set", insutype, med_type, institution_level)
    return _kept(
        version, key, lambda: _policy_set_read(version, insutype, med_type, institution_level)
    )


def _policy_set_read(
    version: PolicyVersion, insutype: str, med_type: str, institution_level: int
) -> engine.PolicySet:
    scheme = PolicyScheme.objects.filter(
        version=version, insutype=insutype, med_type=med_type, institution_level=institution_level
    ).first()
    if scheme is None:
        raise PolicyNotFound(
            _(
                "Policy %(version)s has no scheme for insurance type %(insutype)s, "
                "medical type %(med_type)s, institution level %(level)s."
            )
            % {
                "version": version.code,
                "insutype": insutype,
                "med_type": med_type,
                "level": institution_level,
            }
        )
    chronic = ()
    if scheme.chronic:
        chronic = tuple(
            engine.ChronicDisease(
                code=d.code,
                name=d.name,
                icd_prefixes=_prefixes(d.icd_prefixes),
                annual_quota=d.annual_quota,
                fund_ratio=d.fund_ratio,
            )
            for d in ChronicDiseaseQuota.objects.filter(version=version, insutype=insutype)
        )
    day_surgery = ()
    if med_type == engine.DAY_SURGERY:  # the only claims that use them: no query for others
        day_surgery = tuple(
            engine.DaySurgeryRate(
                code=r.code,
                name=r.name,
                fund_amount=r.fund_amount,
                icd_prefixes=_prefixes(r.icd_prefixes),
            )
            for r in DaySurgeryRate.objects.filter(
                version=version, insutype=insutype, institution_level=institution_level
            )
        )
    return engine.PolicySet(
        version=version.code,
        insutype=insutype,
        med_type=med_type,
        institution_level=institution_level,
        fund_ratio=scheme.fund_ratio,
        deductible=scheme.deductible,
        deductible_basis=scheme.deductible_basis,
        deductible_group=scheme.deductible_group,
        annual_cap=scheme.annual_cap,
        outpatient_quota=scheme.outpatient_quota,
        class_b_self_ratio=scheme.class_b_self_ratio,
        personal_account=scheme.personal_account,
        negotiated_ratio=scheme.negotiated_ratio,
        chronic_diseases=chronic,
        dialysis_icd_prefixes=_prefixes(version.dialysis_icd_prefixes),
        dialysis_no_class_b_from=version.dialysis_no_class_b_from,
        radiotherapy_course_quota=scheme.radiotherapy_course_quota,
        day_surgery=day_surgery,
        cross_region_filed_cut=scheme.cross_region_filed_cut,
        cross_region_unfiled_cut=scheme.cross_region_unfiled_cut,
    )


def policy_in_force(
    *, insutype: str, med_type: str, institution_level: int, day: date
) -> engine.PolicySet:
    """The policy that settles a claim of this kind ending on day; raises PolicyNotFound."""
    return policy_set_of(
        version=version_in_force(day=day),
        insutype=insutype,
        med_type=med_type,
        institution_level=institution_level,
    )


def negotiated_drug_codes(*, version: PolicyVersion) -> frozenset[str]:
    """List codes of the negotiated (国谈) drugs the version pays through the dual channel."""
    return _kept(
        version,
        ("negotiated_drug_codes",),
        lambda: frozenset(
            NegotiatedDrug.objects.filter(version=version).values_list("code", flat=True)
        ),
    )


# What is read of a published version (it never changes: the admin and the services only edit
# drafts), kept in the process by version and question. Saving or deleting any version or row
# of one empties it, in this process: enough, since a published version's rows are not edited
# and a database's ids are not reused while processes run (a test's rolled-back ids are, and
# the next test's own rows empty it first).
_published_reads: dict[tuple, Any] = {}


def _kept(version: PolicyVersion, question: tuple, read: Callable[[], Any]) -> Any:
    if not version.is_published or version.pk is None:
        return read()
    key = (version.pk, version.code, *question)
    found = _published_reads.get(key)
    if found is None:
        found = _published_reads[key] = read()  # PolicyNotFound (no scheme): nothing kept
    return found


def policy_reads_forget(**kwargs: Any) -> None:
    """A version or one of its rows changed: read them again (here, and the shared copy)."""
    _published_reads.clear()
    forget(PUBLISHED_KEY)


def _forget_on_changes() -> None:
    for model in (PolicyVersion, PolicyScheme, ChronicDiseaseQuota, DaySurgeryRate, NegotiatedDrug):
        for signal in (post_save, post_delete):
            signal.connect(
                policy_reads_forget, sender=model, dispatch_uid=f"policy-{model.__name__}"
            )


_forget_on_changes()  # with the module: nothing is kept before it is imported


def year_to_date(
    *,
    psn_no: str,
    year: int,
    insutype: str | None = None,
    before: datetime | None = None,
    exclude_setl_ids: tuple[str, ...] = (),
) -> engine.YearToDate:
    """The person's fund payments and policy counters over stored settlements of the year.

    A settlement counts in the year its encounter ends. Counters come from recorded usages;
    a settlement without any (imported from a batch) adds its fund payment to the outpatient
    quota when it is an outpatient visit or pharmacy purchase, and nothing else. Reversals
    carry negative amounts, so sums net them out.
    """
    zone = timezone.get_current_timezone()
    since, until = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    if before is not None:
        until = min(until, before)
    read = _YEAR_ROWS if insutype else _YEAR_ROWS_OF_ALL_TYPES
    found = read.rows(
        psn_no=psn_no,
        since=since,
        until=until,
        excluded=list(exclude_setl_ids),
        **({"insutype": insutype} if insutype else {}),
    )
    rows = [tuple(row.values()) for row in found]
    hifp = engine.ZERO
    outpatient = None
    counters: dict[str, Decimal] = defaultdict(lambda: engine.ZERO)
    seen = set()
    for setl_id, fund_paid, medical_type, key, amount in rows:
        if key is not None:
            counters[key] += amount
        if setl_id in seen:
            continue
        seen.add(setl_id)
        hifp += fund_paid
        if key is None and medical_type in OUTPATIENT_QUOTA_MED_TYPES:
            outpatient = fund_paid if outpatient is None else outpatient + fund_paid
    if outpatient:
        counters[engine.OUTPATIENT_QUOTA] += outpatient
    return engine.YearToDate(hifp_pay=hifp or engine.ZERO, counters=dict(counters))


def _year_rows(
    *, psn_no: str, since: datetime, until: datetime, excluded: list[str], insutype: str = ""
) -> QuerySet:
    """One query: each settlement with its usages (once, with none, when it has none), for
    year_to_date to sum: every fund payment, the counters, and unrecorded outpatient visits'
    payments."""
    settlements = Settlement.objects.filter(
        person_id=psn_no, end_time__gte=since, end_time__lt=until
    ).exclude(setl_id__any=excluded)
    if insutype:
        settlements = settlements.filter(insurance_type=insutype)
    return settlements.values(
        "setl_id", "fund_paid", "medical_type", "policy_usages__key", "policy_usages__amount"
    )


# Every submission reads the year (claim_from_settlement): compiled once (medins.compiled).
_YEAR_PARAMS = ("psn_no", "since", "until", "excluded")
_YEAR_ROWS = CompiledValues(
    _year_rows, *_YEAR_PARAMS, "insutype", lists=("excluded",), moments=("since", "until")
)
_YEAR_ROWS_OF_ALL_TYPES = CompiledValues(
    _year_rows, *_YEAR_PARAMS, lists=("excluded",), moments=("since", "until")
)


REFUND_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def years_to_date(
    *, psn_nos: list[str], year: int, before: datetime
) -> dict[tuple[str, str], engine.YearToDate]:
    """year_to_date for many persons at once, keyed by (psn_no, insutype); three queries."""
    settlements = Settlement.objects.filter(
        person_id__in=psn_nos, end_time__year=year, end_time__lt=before
    )
    hifp = {
        (row["person_id"], row["insurance_type"]): row["total"]
        for row in settlements.values("person_id", "insurance_type").annotate(
            total=Sum("fund_paid")
        )
    }
    counters: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(lambda: engine.ZERO)
    )
    usages = SettlementUsage.objects.filter(settlement__in=settlements).values(
        "settlement__person_id", "settlement__insurance_type", "key"
    )
    for row in usages.annotate(total=Sum("amount")):
        person_key = (row["settlement__person_id"], row["settlement__insurance_type"])
        counters[person_key][row["key"]] += row["total"]
    unrecorded = settlements.annotate(usage_count=Count("policy_usages")).filter(
        usage_count=0, medical_type__in=OUTPATIENT_QUOTA_MED_TYPES
    )
    for row in unrecorded.values("person_id", "insurance_type", "fund_paid"):
        person_key = (row["person_id"], row["insurance_type"])
        counters[person_key][engine.OUTPATIENT_QUOTA] += row["fund_paid"]
    return {
        key: engine.YearToDate(hifp_pay=total or engine.ZERO, counters=dict(counters[key]))
        for key, total in hifp.items()
    }


def refund_runs_visible_to(user: AnyUser) -> QuerySet[RefundRun]:
    """Refund runs for administrators and supervisors; nobody else sees any."""
    runs = RefundRun.objects.select_related("version", "institution", "created_by", "decided_by")
    return runs if role_of(user) in REFUND_ROLES else runs.none()


def refund_run_visible_to(user: AnyUser, pk: int) -> RefundRun | None:
    """The run if the user may see it, else None (the view answers 404)."""
    return refund_runs_visible_to(user).filter(pk=pk).first()


def refund_lines(*, run: RefundRun, user: AnyUser | None = None) -> QuerySet[RefundLine]:
    """The run's lines, only those of institutions the user may see when a user is given."""
    lines = run.lines.select_related("institution", "settlement")
    if user is not None:
        lines = lines.filter(institution__in=institutions_visible_to(user))
    return lines


def refund_totals_by_institution(*, run: RefundRun, user: AnyUser | None = None) -> list[dict]:
    """Per institution: settlements changed, settlements refunded, refund total."""
    rows = list(
        refund_lines(run=run, user=user)
        .values("institution_id", "institution__name")
        .annotate(
            changed=Count("pk"),
            refunded=Count("pk", filter=Q(refund_amount__gt=0)),
            refund_total=Sum("refund_amount"),
        )
        .order_by("institution_id")
    )
    for row in rows:  # SQLite sums decimals without their places
        row["refund_total"] = engine.money(row["refund_total"] or engine.ZERO)
    return rows
