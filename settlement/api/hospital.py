"""Hospital feedback (issue 5, item 6): the flags about the institution, its audit cases with
their outcomes, appeals (申诉) with attachments, and the remote bed checks it records.

The audit app owns these records and their rules; these views call its services and
selectors, acting as the institution's API user (settlement.api.credentials.api_user_for).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from medins.compiled import CompiledList, CompiledValues, counted
from medins.models import Institution
from screening.audit.models import Appeal, BedCheckTask, Case, CaseFlag, Outcome
from screening.audit.selectors.cases import bed_check_tasks_for_institution
from screening.audit.selectors.flags import flags_for_institution
from screening.audit.services.attachments import attachment_check
from screening.audit.services.bedchecks import bed_check_record
from screening.audit.services.cases import case_appeal
from screening.audit.services.common import AuditError, NotVisible
from screening.models import Flag
from screening.rules import ALL_RULES
from settlement.api.bodies import Rows
from settlement.api.credentials import api_user_for
from settlement.api.exceptions import Conflict, FieldErrors
from settlement.api.serializers import TIME_FORMAT, TIME_INPUTS, Text
from settlement.api.views import InstitutionApiView, RowListView, StrictFilterSet, errors

RULE_NAMES = {module.RULE.code: module.RULE.name_zh for module in ALL_RULES}


# --- Bodies ---


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["kind", "amount", "due_date", "paid_at", "period_from", "period_to", "points"]


class AppealOutputSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(format=TIME_FORMAT)
    resolved_at = serializers.DateTimeField(format=TIME_FORMAT, allow_null=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = ["id", "text", "at", "resolution", "resolved_at", "attachments"]

    def get_attachments(self, appeal: Appeal) -> list[str]:
        return [attachment.original_name for attachment in appeal.attachments.all()]


class CaseOutputSerializer(serializers.ModelSerializer):
    case_id = serializers.IntegerField(source="pk")
    flag_ids = serializers.SerializerMethodField()
    appeals = AppealOutputSerializer(many=True)
    outcomes = OutcomeSerializer(many=True)
    deadline = serializers.DateTimeField(format=TIME_FORMAT, allow_null=True)
    closed_at = serializers.DateTimeField(format=TIME_FORMAT, allow_null=True)

    class Meta:
        model = Case
        fields = ["case_id", "title", "state", "deadline", "amount_at_risk", "closed_at"]
        fields += ["flag_ids", "appeals", "outcomes"]

    def get_flag_ids(self, case: Case) -> list[str]:
        return [link.flag_id for link in case.case_flags.all()]


class FlagOutputSerializer(serializers.ModelSerializer):
    rule_id = serializers.CharField(source="rule_code")
    rule_name = serializers.SerializerMethodField()
    detected_at = serializers.DateTimeField(format=TIME_FORMAT)
    case_id = serializers.SerializerMethodField()
    case_state = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = ["flag_id", "rule_id", "rule_name", "setl_id", "feedetl_sn", "psn_no"]
        fields += ["sev_deg", "amount_at_risk", "evidence", "status", "detected_at"]
        fields += ["case_id", "case_state"]

    def get_rule_name(self, flag: Flag) -> str:
        return RULE_NAMES.get(flag.rule_code, flag.rule_code)

    def get_case_id(self, flag: Flag) -> int | None:
        link = getattr(flag, "case_link", None)
        return link.case_id if link else None

    def get_case_state(self, flag: Flag) -> str | None:
        link = getattr(flag, "case_link", None)
        return link.case.state if link else None


class AppealInputSerializer(serializers.Serializer):
    text = Text(max_length=5000, help_text="申诉理由")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=10
    )

    def validate_attachments(self, files: list[Any]) -> list[Any]:
        for upload in files:
            try:
                attachment_check(name=upload.name, content=upload.read())
            except AuditError as error:
                raise serializers.ValidationError(str(error)) from error
            upload.seek(0)
        return files


class BedCheckTaskSerializer(serializers.ModelSerializer):
    task_id = serializers.IntegerField(source="pk")
    mdtrt_id = serializers.CharField(source="settlement.encounter_id")
    setl_id = serializers.CharField(source="settlement_id")
    issued_at = serializers.DateTimeField(format=TIME_FORMAT)
    due_at = serializers.DateTimeField(format=TIME_FORMAT)
    checked_at = serializers.DateTimeField(format=TIME_FORMAT, allow_null=True)

    class Meta:
        model = BedCheckTask
        fields = ["task_id", "setl_id", "mdtrt_id", "issued_at", "due_at", "instructions"]
        fields += ["result", "checked_at", "note"]


class BedCheckResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=BedCheckTask.Result.values)
    checked_at = serializers.DateTimeField(format=TIME_FORMAT, input_formats=TIME_INPUTS)
    note = Text(max_length=500, required=False, allow_blank=True)


# --- Reads ---


def cases_for_institution(*, institution: Any) -> QuerySet[Case]:
    return (
        Case.objects.filter(institution=institution)
        .prefetch_related(
            Prefetch("case_flags", queryset=CaseFlag.objects.order_by("flag_id")),
            Prefetch("appeals", queryset=Appeal.objects.prefetch_related("attachments")),
            "outcomes",
        )
        .order_by("-created_at", "-pk")
    )


class FlagFilter(StrictFilterSet):
    rule_id = filters.CharFilter(field_name="rule_code")
    status = filters.ChoiceFilter(choices=Flag.Status.choices)

    class Meta:
        model = Flag
        fields: list[str] = []


CASE_LINK = ("case_link__case", "case_link__case__state")  # a flag's case, when it has one


@extend_schema_view(
    get=extend_schema(
        operation_id="flag_list",
        summary="The screening flags about this institution, with their cases",
        responses={200: FlagOutputSerializer(many=True), **errors(400, 404)},
    )
)
class FlagListView(RowListView, InstitutionApiView):
    serializer_class = FlagOutputSerializer
    filterset_class = FlagFilter
    rows = Rows(  # FlagOutputSerializer's, from rows with the flag's CASE_LINK
        FlagOutputSerializer,
        rule_name=lambda row: RULE_NAMES.get(row["rule_code"], row["rule_code"]),
        case_id=lambda row: row["case_link__case"],
        case_state=lambda row: row["case_link__case__state"],
    )

    def get_queryset(self) -> QuerySet[Flag]:
        if getattr(self, "swagger_fake_view", False):
            return Flag.objects.none()
        return flags_for_institution(self.institution).select_related("case_link__case")

    def values_of(self, queryset: QuerySet[Flag]) -> QuerySet:
        return queryset.values(*self.rows.sources, *CASE_LINK)

    def unfiltered(self, page_size: int) -> CompiledList:
        return CompiledList(
            _FLAG_ROWS, _FLAG_COUNT, page_size=page_size, institution=self.institution.pk
        )


def _flags_of(code: str) -> QuerySet[Flag]:
    return flags_for_institution(Institution(pk=code))


_FLAG_ROWS = CompiledValues(
    lambda institution: FlagListView().values_of(_flags_of(institution)), "institution"
)
_FLAG_COUNT = CompiledValues(lambda institution: counted(_flags_of(institution)), "institution")


@extend_schema_view(
    get=extend_schema(
        operation_id="case_list",
        summary="This institution's audit cases: state, appeals and outcomes",
        responses={200: CaseOutputSerializer(many=True), **errors(404)},
    )
)
class CaseListView(ListAPIView, InstitutionApiView):
    serializer_class = CaseOutputSerializer

    def get_queryset(self) -> QuerySet[Case]:
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return cases_for_institution(institution=self.institution)


CASE_ID = OpenApiParameter("case_id", OpenApiTypes.INT, OpenApiParameter.PATH)
TASK_ID = OpenApiParameter("task_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _number(value: str, message: str) -> int:
    if not value.isdigit():
        raise NotFound(message)
    return int(value)


class CaseDetailView(InstitutionApiView):
    @extend_schema(
        operation_id="case_read",
        parameters=[CASE_ID],
        responses={200: CaseOutputSerializer, **errors(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        message = _("No case %(id)s.") % {"id": case_id}
        found = cases_for_institution(institution=self.institution).filter(
            pk=_number(case_id, message)
        )
        case = found.first()
        if case is None:
            raise NotFound(message)
        return Response(CaseOutputSerializer(case).data)


class CaseAppealView(InstitutionApiView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="case_appeal",
        summary="Appeal a case (申诉) with text and attachments",
        parameters=[CASE_ID],
        request={
            "multipart/form-data": AppealInputSerializer,
            "application/json": AppealInputSerializer,
        },
        responses={201: CaseOutputSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        message = _("No case %(id)s.") % {"id": case_id}
        number = _number(case_id, message)
        incoming = AppealInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if not cases_for_institution(institution=self.institution).filter(pk=number).exists():
            raise NotFound(message)
        try:
            case_appeal(
                case_id=number,
                text=incoming.validated_data["text"],
                by=api_user_for(institution=self.institution),
                attachments=incoming.validated_data.get("attachments", []),
                at=timezone.now(),
            )
        except NotVisible as error:
            raise NotFound(message) from error
        except AuditError as error:  # the case's state does not take an appeal now
            raise Conflict(str(error)) from error
        case = cases_for_institution(institution=self.institution).get(pk=number)
        return Response(CaseOutputSerializer(case).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        operation_id="bed_check_list",
        summary="Remote bed checks (远程查床) asked of this institution, open ones first",
        responses={200: BedCheckTaskSerializer(many=True), **errors(404)},
    )
)
class BedCheckListView(ListAPIView, InstitutionApiView):
    serializer_class = BedCheckTaskSerializer

    def get_queryset(self) -> QuerySet[BedCheckTask]:
        if getattr(self, "swagger_fake_view", False):
            return BedCheckTask.objects.none()
        return bed_check_tasks_for_institution(self.institution)


class BedCheckRecordView(InstitutionApiView):
    @extend_schema(
        operation_id="bed_check_record",
        summary="Record the result of a remote bed check for an inpatient",
        parameters=[TASK_ID],
        request=BedCheckResultSerializer,
        responses={200: BedCheckTaskSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, task_id: str) -> Response:
        message = _("No bed check task %(id)s.") % {"id": task_id}
        number = _number(task_id, message)
        incoming = BedCheckResultSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if not bed_check_tasks_for_institution(self.institution).filter(pk=number).exists():
            raise NotFound(message)
        try:
            task = bed_check_record(
                task_id=number,
                result=incoming.validated_data["result"],
                checked_at=incoming.validated_data["checked_at"],
                note=incoming.validated_data.get("note", ""),
                recorded_by=api_user_for(institution=self.institution),
                at=timezone.now(),
            )
        except NotVisible as error:
            raise NotFound(message) from error
        except AuditError as error:
            raise FieldErrors({"checked_at": [str(error)]}) from error
        return Response(BedCheckTaskSerializer(task).data)
