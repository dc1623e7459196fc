"""Request and response bodies, with the national field names of the interchange contract.

Serializers check the shape of one request (types, choices, sums within the request); what
needs the database (the person, the catalog, keys already stored) is checked by the services,
which raise the same field-level errors.
"""

from __future__ import annotations

import decimal
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from medins import interchange
from medins.text import no_control_characters
from settlement.models import ImportBatch, PrecheckAnswer, Settlement

TIME_FORMAT = interchange.DATETIME_FORMAT
TIME_INPUTS = [TIME_FORMAT, "iso-8601"]
MAX_LINES = 2000  # fee lines per encounter in one request
AMOUNT_TOLERANCE = Decimal("0.01")  # det_item_fee_sumamt = cnt × pric within this


def decimal_quantizing(field: serializers.DecimalField) -> tuple[Decimal, decimal.Context]:
    """What DecimalField.quantize makes anew for every value, made once for a field: the
    quantum of its decimal places and a context of its max_digits' precision."""
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits
    return Decimal(".1") ** field.decimal_places, context


def fields_timezone() -> tzinfo | None:
    """The zone DateTimeField.default_timezone() gives, to look up once per body rather than
    once per value."""
    return timezone.get_current_timezone() if settings.USE_TZ else None


class Text(serializers.CharField):
    """An input text field that also refuses control characters (DRF refuses only NUL), as
    sent: trimming would silently drop some (str.strip() counts U+001C–U+001F as space)."""

    def to_internal_value(self, data: Any) -> str:
        try:
            no_control_characters(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code="control_character") from error
        return super().to_internal_value(data)


def _time(**options: Any) -> serializers.DateTimeField:
    return serializers.DateTimeField(format=TIME_FORMAT, input_formats=TIME_INPUTS, **options)


def _money(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **options)


class DiagnosisInputSerializer(serializers.Serializer):
    diag_srt_no = serializers.IntegerField(min_value=1, max_value=99)
    diag_code = Text(max_length=30)


class FeeDetailInputSerializer(serializers.Serializer):
    feedetl_sn = Text(max_length=40)
    fee_ocur_time = _time()
    med_list_codg = Text(max_length=50)
    medins_list_codg = Text(max_length=150, required=False, allow_blank=True)
    med_chrgitm_type = serializers.ChoiceField(choices=interchange.CHARGE_TYPES)
    cnt = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=Decimal("0.0001"))
    pric = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=Decimal("0"))
    det_item_fee_sumamt = _money(min_value=Decimal("0"))
    prd_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)
    bilg_dept_codg = Text(max_length=20, required=False, allow_blank=True)
    bilg_dr_codg = Text(max_length=30, required=False, allow_blank=True)
    chrgitm_lv = serializers.ChoiceField(
        choices=interchange.CHARGE_LEVELS, required=False, allow_blank=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        expected = attrs["cnt"] * attrs["pric"]
        if abs(expected - attrs["det_item_fee_sumamt"]) > AMOUNT_TOLERANCE:
            raise serializers.ValidationError(
                {
                    "det_item_fee_sumamt": _(
                        "Must equal cnt × pric (%(expected)s) within 0.01 yuan."
                    )
                    % {"expected": f"{expected:.2f}"}
                }
            )
        return attrs


class EncounterInputSerializer(serializers.Serializer):
    """One encounter to settle or pre-check: the settlement's fields, diagnoses, fee lines."""

    mdtrt_id = Text(max_length=40)
    psn_no = Text(max_length=30)
    insutype = serializers.ChoiceField(choices=("310", "390"))
    med_type = serializers.ChoiceField(choices=interchange.MED_TYPES)
    begntime = _time()
    endtime = _time()
    dise_codg = Text(max_length=30, required=False, allow_blank=True)
    adm_dept_codg = Text(max_length=20, required=False, allow_blank=True)
    atddr_no = Text(max_length=30, required=False, allow_blank=True)
    oprn_oprt_code = Text(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="日间手术 (med_type 28): the procedure, whose fixed rate the policy pays",
    )
    rt_course_no = Text(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="放疗疗程号: the radiotherapy course of this encounter (its quota per course)",
    )
    diagnoses = DiagnosisInputSerializer(many=True, required=False)
    fee_details = FeeDetailInputSerializer(many=True, min_length=1, max_length=MAX_LINES)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        if attrs["endtime"] < attrs["begntime"]:
            errors["endtime"] = [_("Must not be before begntime.")]
        lines = attrs["fee_details"]
        seen: dict[str, int] = {}
        line_errors: list[dict[str, list[str]]] = [{} for _line in lines]
        for index, line in enumerate(lines):
            number = line["feedetl_sn"]
            if number in seen:
                line_errors[index]["feedetl_sn"] = [
                    _("Repeats fee_details[%(index)s].feedetl_sn.") % {"index": seen[number]}
                ]
            seen.setdefault(number, index)
        if any(line_errors):
            errors["fee_details"] = line_errors
        ranks = [diagnosis["diag_srt_no"] for diagnosis in attrs.get("diagnoses", [])]
        if len(ranks) != len(set(ranks)):
            errors["diagnoses"] = [_("Each diag_srt_no may appear once.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class PrecheckInputSerializer(EncounterInputSerializer):
    """An encounter not yet settled, and when in the workflow the check is made."""

    trig_scen = serializers.ChoiceField(
        choices=[str(code) for code in range(1, 10)],
        required=False,
        help_text="触发场景: 1 门诊挂号 … 7 门诊预结算, 8 住院结算, 9 住院预结算",
    )


# --- Responses ---


class DiagnosisOutputSerializer(serializers.Serializer):
    diag_srt_no = serializers.IntegerField(source="rank")
    diag_code = serializers.CharField(source="code")


class FeeDetailOutputSerializer(serializers.Serializer):
    feedetl_sn = serializers.CharField(source="line_id")
    fee_ocur_time = _time(source="occurred_at")
    med_list_codg = serializers.CharField(source="item_code")
    medins_list_codg = serializers.CharField(source="institution_item_code")
    med_chrgitm_type = serializers.CharField(source="charge_type")
    cnt = serializers.DecimalField(max_digits=14, decimal_places=4, source="quantity")
    pric = serializers.DecimalField(max_digits=14, decimal_places=4, source="unit_price")
    det_item_fee_sumamt = _money(source="amount")
    prd_days = serializers.IntegerField(source="supply_days", allow_null=True)
    bilg_dept_codg = serializers.CharField(source="department_code")
    bilg_dr_codg = serializers.CharField(source="practitioner_code")
    chrgitm_lv = serializers.CharField(source="charge_level")


class BreakdownSerializer(serializers.Serializer):
    """The policy engine's split: the amounts and each step explained."""

    policy_version = serializers.CharField()
    amounts = serializers.DictField(child=serializers.CharField())
    steps = serializers.ListField(child=serializers.CharField())


class SettlementSummarySerializer(serializers.Serializer):
    """A settlement in the list: its own fields, no lines."""

    setl_id = serializers.CharField()
    mdtrt_id = serializers.CharField(source="encounter_id")
    psn_no = serializers.CharField(source="person_id")
    fixmedins_code = serializers.CharField(source="institution_id")
    insutype = serializers.CharField(source="insurance_type")
    med_type = serializers.CharField(source="medical_type")
    begntime = _time(source="begin_time")
    endtime = _time(source="end_time")
    dise_codg = serializers.CharField(source="main_diagnosis")
    adm_dept_codg = serializers.CharField(source="department_code")
    atddr_no = serializers.CharField(source="attending_code")
    oprn_oprt_code = serializers.CharField(source="procedure_code")
    rt_course_no = serializers.CharField(source="radiotherapy_course")
    medfee_sumamt = _money(source="total")
    fulamt_ownpay_amt = _money(source="fully_self_paid")
    inscp_scp_amt = _money(source="in_scope")
    hifp_pay = _money(source="fund_paid")
    acct_pay = _money(source="account_paid")
    psn_cash_pay = _money(source="cash_paid")
    setl_time = _time(source="settled_at")
    refd_setl_flag = serializers.SerializerMethodField()
    reversed_by = serializers.SerializerMethodField(
        help_text="setl_id of the settlement that reversed this one (冲正), or null."
    )
    reverses = serializers.SerializerMethodField(
        help_text="setl_id of the settlement this one reverses, or null."
    )

    def get_refd_setl_flag(self, settlement: Settlement) -> str:
        return "1" if settlement.is_reversal else "0"

    def get_reversed_by(self, settlement: Settlement) -> str | None:
        reversal = getattr(settlement, "reversal", None)
        return reversal.reversing_id if reversal else None

    def get_reverses(self, settlement: Settlement) -> str | None:
        reversal = getattr(settlement, "reverses", None)
        return reversal.original_id if reversal else None


class SettlementOutputSerializer(SettlementSummarySerializer):
    """One settlement whole: diagnoses, fee lines and the policy's breakdown."""

    diagnoses = DiagnosisOutputSerializer(many=True)
    fee_details = FeeDetailOutputSerializer(many=True, source="fee_lines")
    breakdown = serializers.SerializerMethodField()

    @extend_schema_field(BreakdownSerializer(allow_null=True))
    def get_breakdown(self, settlement: Settlement) -> dict[str, Any] | None:
        breakdown = getattr(settlement, "breakdown", None)
        if breakdown is None:
            return None
        return {
            "policy_version": breakdown.policy_version,
            "amounts": breakdown.amounts,
            "steps": breakdown.steps,
        }


class ReversalInputSerializer(serializers.Serializer):
    reason = Text(max_length=500, required=False, allow_blank=True)


# --- Batch upload ---


class BatchUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An interchange batch as one .zip (see the contract).")

    def validate_file(self, upload: Any) -> Any:
        if not upload.name.lower().endswith(".zip"):
            raise serializers.ValidationError(_("Upload the batch as a .zip file."))
        return upload


class ImportErrorSerializer(serializers.Serializer):
    file = serializers.CharField(allow_null=True)
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


class BatchJobSerializer(serializers.ModelSerializer):
    job_id = serializers.IntegerField(source="pk")
    errors = ImportErrorSerializer(many=True)
    warnings = ImportErrorSerializer(many=True)
    error_report = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = ["job_id", "status", "created_at", "started_at", "finished_at"]
        fields += ["row_counts", "error_count", "errors", "warnings", "error_report"]

    def get_error_report(self, batch: ImportBatch) -> str | None:
        if not batch.report_path:
            return None
        return f"/api/v1/batches/{batch.pk}/report/"


# --- Pre-check (3101/3102) and its answer (3103) ---


class ViolationLineSerializer(serializers.Serializer):
    jrd_id = serializers.CharField()
    patn_id = serializers.CharField()
    mdtrt_id = serializers.CharField()
    feedetl_sn = serializers.CharField()
    vola_item_type = serializers.CharField(help_text="1 违规项, 2 涉及项")
    vola_amt = _money()


class ViolationSerializer(serializers.Serializer):
    jr_id = serializers.CharField()
    rule_id = serializers.CharField()
    rule_name = serializers.CharField()
    vola_cont = serializers.CharField()
    patn_id = serializers.CharField()
    mdtrt_id = serializers.CharField()
    judge_result_detail_dtos = ViolationLineSerializer(many=True)
    vola_amt = _money()
    sev_deg = serializers.CharField(help_text="1 明确违规, 2 高度可疑, 3 可疑")
    vola_evid = serializers.CharField()
    task_id = serializers.CharField()


class PrecheckOutputSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    mdtrt_id = serializers.CharField()
    result = ViolationSerializer(many=True)


class WarnAnswerSerializer(serializers.Serializer):
    warn_rslt_id = Text(max_length=50, help_text="jr_id of the warning")
    dspo_way = serializers.ChoiceField(
        choices=PrecheckAnswer.Way.values, help_text="1 继续执行, 2 返回修改"
    )
    dspo_way_rea = Text(max_length=500, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["dspo_way"] == PrecheckAnswer.Way.CONTINUE and not attrs.get("dspo_way_rea"):
            raise serializers.ValidationError(
                {"dspo_way_rea": _("A reason is required to continue despite the warning.")}
            )
        return attrs


class PrecheckFeedbackInputSerializer(serializers.Serializer):
    warn_type = serializers.ChoiceField(choices=("1", "2"), help_text="1 事前, 2 事中")
    warns = WarnAnswerSerializer(many=True, min_length=1, max_length=500)


class PrecheckAnswerOutputSerializer(serializers.Serializer):
    warn_rslt_id = serializers.CharField(source="violation_id")
    dspo_way = serializers.CharField(source="way")
    dspo_way_rea = serializers.CharField(source="reason")
    answered_at = _time()


class StoredViolationSerializer(serializers.Serializer):
    jr_id = serializers.CharField()
    rule_id = serializers.CharField(source="rule_code")
    rule_name = serializers.CharField()
    vola_cont = serializers.CharField(source="content")
    vola_amt = _money(source="amount")
    sev_deg = serializers.CharField()
    vola_evid = serializers.CharField(source="evidence")
    judge_result_detail_dtos = ViolationLineSerializer(many=True, source="lines")
    answer = serializers.SerializerMethodField()

    def get_answer(self, violation: Any) -> dict[str, Any] | None:
        answer = getattr(violation, "answer", None)
        return PrecheckAnswerOutputSerializer(answer).data if answer else None


class PrecheckRecordSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    mdtrt_id = serializers.CharField(source="encounter_id")
    psn_no = serializers.CharField(source="person_id")
    trig_scen = serializers.CharField(source="trigger")
    checked_at = _time()
    result = StoredViolationSerializer(many=True, source="violations")


# --- Errors (documented in the schema) ---


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Bad fields by their path in the request, e.g. fee_details[2].cnt.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()
