"""政策性差额退费: recompute a past period's settlements under a retroactive policy version.

Each settlement is settled twice by the engine, under the version that was in force before
the new one was published (the prior policy) and under the new one, so that the difference is
the policy's effect alone; settlements whose person share does not change are left out. A
person's settlements are replayed in order, so quotas and caps see the earlier results of the
same policy. The refund is what the person pays less; a person who would pay more is not
asked for it (the difference is kept, the refund is zero).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.models import Institution, Role
from medins.selectors import role_of
from settlement.models import Settlement
from settlement.policy import engine
from settlement.policy.claims import RegistrySnapshot, claim_from_settlement
from settlement.policy.models import PolicyVersion, RefundLine, RefundRun
from settlement.policy.selectors import (
    negotiated_drug_codes,
    policy_set_of,
    years_to_date,
)


class RefundError(Exception):
    """A refund run cannot be computed or decided this way; the message says why."""


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _prior_version(*, version: PolicyVersion, day: date) -> PolicyVersion | None:
    """The version that settled claims of day before version was published."""
    return (
        PolicyVersion.objects.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=day),
            status=PolicyVersion.Status.PUBLISHED,
            effective_from__lte=day,
            published_at__lt=version.published_at,
        )
        .exclude(pk=version.pk)
        .order_by("-published_at", "-pk")
        .first()
    )


def _check_period(version: PolicyVersion, period_from: date, period_to: date) -> None:
    if not version.is_published:
        raise RefundError(
            _("Version %(code)s is not published; publish it first.") % {"code": version.code}
        )
    if period_to <= period_from:
        raise RefundError(_("The period must end after it begins."))
    ends_inside = version.effective_to is None or period_to <= version.effective_to
    if period_from < version.effective_from or not ends_inside:
        raise RefundError(
            _("The period %(start)s–%(end)s lies outside version %(code)s's effective period.")
            % {"start": period_from, "end": period_to, "code": version.code}
        )


class _Replay:
    """One policy's results so far for one person and year, on top of the stored ones."""

    def __init__(self, stored: engine.YearToDate) -> None:
        self.hifp = stored.hifp_pay
        self.counters: dict[str, Decimal] = defaultdict(lambda: engine.ZERO, stored.counters)

    def year_to_date(self) -> engine.YearToDate:
        return engine.YearToDate(hifp_pay=self.hifp, counters=dict(self.counters))

    def add(self, breakdown: engine.Breakdown) -> None:
        self.hifp += breakdown.hifp_pay
        for key, amount in breakdown.counters:
            self.counters[key] += amount


class _Policies:
    """The policy sets, prior versions and negotiated-drug lists one run needs, each read once."""

    def __init__(self, version: PolicyVersion) -> None:
        self.version = version
        self._sets: dict[tuple, engine.PolicySet] = {}
        self._priors: dict[date, PolicyVersion | None] = {}
        self._codes: dict[int, frozenset[str]] = {}

    def prior(self, day: date) -> PolicyVersion | None:
        if day not in self._priors:
            self._priors[day] = _prior_version(version=self.version, day=day)
        return self._priors[day]

    def codes(self, version: PolicyVersion) -> frozenset[str]:
        if version.pk not in self._codes:
            self._codes[version.pk] = negotiated_drug_codes(version=version)
        return self._codes[version.pk]

    def settle(self, version: PolicyVersion, claim: engine.Claim) -> engine.Breakdown:
        key = (version.pk, claim.insutype, claim.med_type, claim.institution_level)
        if key not in self._sets:
            self._sets[key] = policy_set_of(
                version=version,
                insutype=claim.insutype,
                med_type=claim.med_type,
                institution_level=claim.institution_level,
            )
        return engine.settle(claim, self._sets[key])


def _with_negotiated(claim: engine.Claim, codes: frozenset[str]) -> engine.Claim:
    """claim with the negotiated-drug flags another version's list gives its lines."""
    outpatient = not claim.med_type.startswith("2")
    lines = tuple(
        replace(
            line,
            negotiated_drug=line.hilist_code in codes,
            dual_channel=line.hilist_code in codes and outpatient,
        )
        for line in claim.lines
    )
    return replace(claim, lines=lines)


def _recompute(
    settlement: Settlement,
    policies: _Policies,
    replays: dict[str, _Replay],
    registry: RegistrySnapshot,
) -> RefundLine:
    """The settlement's line under both policies; replays carry each policy's year so far."""
    version = policies.version
    prior = policies.prior(timezone.localtime(settlement.end_time).date())
    claim = claim_from_settlement(
        settlement,
        negotiated_codes=policies.codes(version),
        year_to_date=replays["new"].year_to_date(),
        registry=registry,
    )
    new = policies.settle(version, claim)
    replays["new"].add(new)
    paid_personal = settlement.account_paid + settlement.cash_paid
    if prior is None:
        old_hifp, old_personal = settlement.fund_paid, paid_personal
    else:
        old_claim = replace(
            _with_negotiated(claim, policies.codes(prior)),
            year_to_date=replays["old"].year_to_date(),
        )
        old = policies.settle(prior, old_claim)
        replays["old"].add(old)
        old_hifp, old_personal = old.hifp_pay, old.acct_pay + old.psn_cash_pay
    new_personal = new.acct_pay + new.psn_cash_pay
    difference = old_personal - new_personal
    return RefundLine(
        settlement=settlement,
        institution_id=settlement.institution_id,
        paid_hifp_pay=settlement.fund_paid,
        paid_personal=paid_personal,
        prior_version=prior.code if prior else "",
        old_hifp_pay=old_hifp,
        old_personal=old_personal,
        new_hifp_pay=new.hifp_pay,
        new_personal=new_personal,
        difference=difference,
        refund_amount=max(difference, engine.ZERO),
        steps=list(new.steps),
    )


# Persons read together: their settlements, fee lines, certifications and year so far.
PERSONS_PER_CHUNK = 500


def _recompute_persons(
    psn_nos: list[str], in_period: QuerySet[Settlement], policies: _Policies, period_from: date
) -> Iterator[tuple[Settlement, RefundLine]]:
    """Each settlement of these persons in the period, in order, with its refund line."""
    settlements = list(
        in_period.filter(person_id__in=psn_nos)
        .select_related("person", "institution")
        .prefetch_related("fee_lines")
        .order_by("person_id", "end_time", "setl_id")
    )
    registry = RegistrySnapshot(
        psn_nos=psn_nos,
        item_codes={fee.item_code for s in settlements for fee in s.fee_lines.all()},
    )
    stored: dict[int, dict] = {}
    replays: dict[tuple[str, str, int], dict[str, _Replay]] = {}
    for settlement in settlements:
        year = timezone.localtime(settlement.end_time).year
        if year not in stored:
            stored[year] = years_to_date(psn_nos=psn_nos, year=year, before=_start_of(period_from))
        key = (settlement.person_id, settlement.insurance_type, year)
        if key not in replays:
            start = stored[year].get(key[:2], engine.YearToDate())
            replays[key] = {"new": _Replay(start), "old": _Replay(start)}
        try:
            yield settlement, _recompute(settlement, policies, replays[key], registry)
        except engine.PolicyError as error:
            raise RefundError(
                _("Settlement %(setl_id)s: %(error)s")
                % {"setl_id": settlement.setl_id, "error": error}
            ) from error


def _compute_lines(
    version: PolicyVersion, period_from: date, period_to: date, institution_code: str
) -> tuple[list[RefundLine], int]:
    """The changed settlements' lines (no run yet) and how many settlements were recomputed."""
    # A reversed settlement (冲正) was paid back in full: nothing of it is left to refund, and
    # its reversal took its quotas back, so neither is replayed.
    in_period = Settlement.objects.filter(
        end_time__gte=_start_of(period_from),
        end_time__lt=_start_of(period_to),
        is_reversal=False,
        reversal__isnull=True,
    )
    # With an institution, its patients' settlements elsewhere are replayed too, so that
    # quotas and caps see them, but only the institution's become lines.
    persons = in_period.filter(institution_id=institution_code) if institution_code else in_period
    psn_nos = sorted(set(persons.values_list("person_id", flat=True)))
    lines: list[RefundLine] = []
    policies = _Policies(version)
    count = 0
    for start in range(0, len(psn_nos), PERSONS_PER_CHUNK):
        chunk = psn_nos[start : start + PERSONS_PER_CHUNK]
        for settlement, line in _recompute_persons(chunk, in_period, policies, period_from):
            if institution_code and settlement.institution_id != institution_code:
                continue
            count += 1
            if line.difference:
                lines.append(line)
    return lines, count


def _check_request(
    version: PolicyVersion, period_from: date, period_to: date, institution_code: str
) -> None:
    _check_period(version, period_from, period_to)
    if institution_code and not Institution.objects.filter(code=institution_code).exists():
        raise RefundError(_("No institution has the code %(code)s.") % {"code": institution_code})


def _fill(run: RefundRun, lines: list[RefundLine], count: int) -> None:
    for line in lines:
        line.run = run
    RefundLine.objects.bulk_create(lines)
    run.settlement_count = count
    run.refund_total = sum((line.refund_amount for line in lines), engine.ZERO)
    run.status = RefundRun.Status.COMPUTED
    run.save(update_fields=["settlement_count", "refund_total", "status"])


@transaction.atomic(durable=True)
def refund_run_compute(
    *,
    version: PolicyVersion,
    period_from: date,
    period_to: date,
    institution_code: str = "",
    user: AbstractBaseUser | None = None,
) -> RefundRun:
    """Recompute the period's settlements (ending in [from, to)) under version, now; one run.

    With institution_code, only that institution's settlements become lines. Raises
    RefundError for an unpublished version, a period outside its effective period, an
    unknown institution, or a settlement that a version has no scheme for.
    """
    _check_request(version, period_from, period_to, institution_code)
    lines, count = _compute_lines(version, period_from, period_to, institution_code)
    run = RefundRun.objects.create(
        version=version,
        period_from=period_from,
        period_to=period_to,
        institution_id=institution_code or None,
        created_by=user,
    )
    _fill(run, lines, count)
    return run


@transaction.atomic(durable=True)
def refund_run_request(
    *,
    version: PolicyVersion,
    period_from: date,
    period_to: date,
    institution_code: str = "",
    user: AbstractBaseUser,
) -> RefundRun:
    """Queue a run for a worker (refund_run_fill); only administrators request runs."""
    if role_of(user) != Role.ADMIN:
        raise RefundError(_("Only an administrator may compute a refund run."))
    _check_request(version, period_from, period_to, institution_code)
    run = RefundRun.objects.create(
        version=version,
        period_from=period_from,
        period_to=period_to,
        institution_id=institution_code or None,
        status=RefundRun.Status.QUEUED,
        created_by=user,
    )
    from settlement.policy.tasks import refund_run_fill as task

    transaction.on_commit(lambda: task.delay(run_id=run.pk))
    return run


# A worker that died mid-run wrote nothing (one transaction); after this long its run may be
# taken again. Shorter than the broker's visibility_timeout (2 h), so a redelivery finds it.
FILL_LEASE = timedelta(hours=1)


def refund_run_fill(*, run_id: int) -> RefundRun:
    """Compute a queued run; a second delivery, or a run another worker holds, changes nothing."""
    now = timezone.now()
    abandoned = Q(status=RefundRun.Status.RUNNING, started_at__lt=now - FILL_LEASE)
    claimed = RefundRun.objects.filter(
        Q(status=RefundRun.Status.QUEUED) | abandoned, pk=run_id
    ).update(status=RefundRun.Status.RUNNING, started_at=now)
    run = RefundRun.objects.select_related("version").get(pk=run_id)
    if not claimed:
        return run
    code = run.institution_id or ""
    try:
        with transaction.atomic():
            lines, count = _compute_lines(run.version, run.period_from, run.period_to, code)
            _fill(run, lines, count)
    except RefundError as error:
        run.status = RefundRun.Status.FAILED
        run.error = str(error)
        run.save(update_fields=["status", "error"])
    return run
