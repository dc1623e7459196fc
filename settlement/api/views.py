"""API views: parse, make one call to a service or selector, answer. Scoped to the caller."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    schema,
)
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from medins.compiled import CompiledList
from medins.models import Institution
from settlement import selectors
from settlement.api import batches, bodies, encounters, feedback, precheck, serializers
from settlement.api.authentication import ApiKeyAuthentication
from settlement.api.permissions import IsDesignated, IsInstitutionClient
from settlement.api.precheck_input import precheck_encounter
from settlement.api.throttling import CredentialRateThrottle
from settlement.models import ImportBatch, PrecheckRecord, Settlement

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses: always 400 (a malformed request: bad parameters, a
    control character in the URL or a header), 401 and 429, plus the endpoint's own."""
    described = {
        400: _("Invalid input: fields names each bad field by its path."),
        401: _("No, unknown or revoked API key."),
        403: _("The institution is suspended or terminated, or the key may not do this."),
        404: _("Not found among the institution's own data."),
        409: _("Conflicts with what is stored (already settled, reversed, key reused)."),
        429: _("Too many requests for this client; retry after the Retry-After seconds."),
        503: _("The task queue is unavailable; nothing was accepted."),
    }
    return {
        code: OpenApiResponse(serializers.ErrorSerializer, description=str(described[code]))
        for code in sorted({400, 401, 429, *codes})
    }


class InstitutionApiView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsInstitutionClient]
    throttle_classes = [CredentialRateThrottle]

    @property
    def institution(self) -> Institution:
        """The institution of the calling credential."""
        return self.request.auth.institution


class WritingApiView(InstitutionApiView):
    permission_classes = [IsInstitutionClient, IsDesignated]


class StrictFilterSet(filters.FilterSet):
    """An empty parameter (?med_type=) is an error, not a silent "no filter"."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and self.data.get(name) == "":
                self.form.add_error(name, _("Give a value or leave the parameter out."))
                valid = False
        return valid


class SettlementFilter(StrictFilterSet):
    mdtrt_id = filters.CharFilter(field_name="encounter_id")
    psn_no = filters.CharFilter(field_name="person_id")
    med_type = filters.CharFilter(field_name="medical_type")
    refd_setl_flag = filters.ChoiceFilter(
        choices=[("0", "0"), ("1", "1")], method="filter_reversal", help_text="1: reversals only"
    )
    setl_time_from = filters.IsoDateTimeFilter(field_name="settled_at", lookup_expr="gte")
    setl_time_to = filters.IsoDateTimeFilter(field_name="settled_at", lookup_expr="lt")
    begntime_from = filters.IsoDateTimeFilter(field_name="begin_time", lookup_expr="gte")
    begntime_to = filters.IsoDateTimeFilter(field_name="begin_time", lookup_expr="lt")

    class Meta:
        model = Settlement
        fields: list[str] = []

    def filter_reversal(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_reversal=value == "1")


class RowListView(ListAPIView):
    """ListAPIView whose page is read as .values() rows (values_of) and written by rows, the
    serializer's fields made direct (settlement/api/bodies.py); the filter set, costly to
    build, only when a filter is given: without one it filters nothing."""

    rows: bodies.Rows

    def values_of(self, queryset: QuerySet) -> QuerySet:
        return queryset.values(*self.rows.sources)

    def unfiltered(self, page_size: int) -> CompiledList | None:
        """values_of(get_queryset()) by compiled queries, when the view has them."""
        return None

    def list(self, request: Request) -> Response:
        found: QuerySet | CompiledList | None = None
        if any(name in request.query_params for name in self.filterset_class.base_filters):
            found = self.values_of(self.filter_queryset(self.get_queryset()))
        else:
            found = self.unfiltered(self.paginator.get_page_size(request))
        if found is None:
            found = self.values_of(self.get_queryset())
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.rows.write_all(page))


@extend_schema_view(
    get=extend_schema(
        operation_id="settlement_list",
        responses={200: serializers.SettlementSummarySerializer(many=True), **errors(400, 404)},
    )
)
class SettlementListView(RowListView, WritingApiView):
    """List the institution's settlements (filters below), or submit one encounter to settle."""

    serializer_class = serializers.SettlementSummarySerializer
    rows = bodies.SUMMARY
    filterset_class = SettlementFilter

    def get_permissions(self) -> list:
        if self.request.method == "GET":
            return [IsInstitutionClient()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Settlement]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return Settlement.objects.none()
        return selectors.settlements_for_institution(institution=self.institution)

    def values_of(self, queryset: QuerySet[Settlement]) -> QuerySet:
        return selectors.settlement_values(queryset)

    def unfiltered(self, page_size: int) -> CompiledList:
        return selectors.settlement_list_for_institution(
            institution=self.institution, page_size=page_size
        )

    @extend_schema(
        operation_id="settlement_submit",
        summary="Settle an encounter",
        request=serializers.EncounterInputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A retry with the same key returns the first result (200).",
            )
        ],
        responses={
            201: serializers.SettlementOutputSerializer,
            200: OpenApiResponse(
                serializers.SettlementOutputSerializer,
                description="A replay: the result of the first request with this key.",
            ),
            **errors(400, 403, 409),
        },
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()[:100] or None
        settled = encounters.encounter_settle(
            institution=self.institution,
            encounter=encounter_input(request.data),  # EncounterInputSerializer's, faster
            fingerprint=encounters.request_fingerprint(request.data),
            idempotency_key=key,
            at=timezone.now(),
        )
        # A new settlement is answered from what was stored; a replay reads the first one.
        if settled.written is not None:
            row = settled.written.row()
        else:
            row = selectors.settlement_row_for_institution(
                institution=self.institution, setl_id=settled.settlement.setl_id
            )
        body = bodies.SETTLEMENT.write(row)  # SettlementOutputSerializer's
        if settled.replayed:
            return Response(body, status=status.HTTP_200_OK, headers={REPLAYED_HEADER: "true"})
        return Response(body, status=status.HTTP_201_CREATED)


def encounter_input(data: Any) -> dict[str, Any]:
    """EncounterInputSerializer(data=data)'s validated data; raises its ValidationError.

    PrecheckInputSerializer is that serializer with one optional field more, trig_scen, which
    a submission ignores: the pre-check's fast body check of the body without it is the same
    check (tests/api/test_settlements.py compares the two)."""
    if type(data) is dict:
        return precheck_encounter({name: value for name, value in data.items() if name != TRIGGER})
    incoming = serializers.EncounterInputSerializer(data=data)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


TRIGGER = "trig_scen"


class SettlementDetailView(InstitutionApiView):
    @extend_schema(
        operation_id="settlement_read",
        responses={200: serializers.SettlementOutputSerializer, **errors(404)},
    )
    def get(self, request: Request, setl_id: str) -> Response:
        try:
            row = selectors.settlement_row_for_institution(
                institution=self.institution, setl_id=setl_id
            )
        except Settlement.DoesNotExist as error:
            raise NotFound(_("No settlement %(id)s.") % {"id": setl_id}) from error
        return Response(bodies.SETTLEMENT.write(row))  # SettlementOutputSerializer's


class SettlementReverseView(WritingApiView):
    @extend_schema(
        operation_id="settlement_reverse",
        summary="Reverse a settlement (冲正)",
        request=serializers.ReversalInputSerializer,
        responses={201: serializers.SettlementOutputSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, setl_id: str) -> Response:
        incoming = serializers.ReversalInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            reversing = encounters.settlement_reverse(
                institution=self.institution,
                setl_id=setl_id,
                credential=request.auth,
                reason=incoming.validated_data.get("reason", ""),
                at=timezone.now(),
            )
        except Settlement.DoesNotExist as error:
            raise NotFound(_("No settlement %(id)s.") % {"id": setl_id}) from error
        row = selectors.settlement_row_for_institution(
            institution=self.institution, setl_id=reversing.setl_id
        )
        body = bodies.SETTLEMENT.write(row)  # SettlementOutputSerializer's
        return Response(body, status=status.HTTP_201_CREATED)


class BatchUploadView(WritingApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="batch_upload",
        summary="Upload an interchange batch (.zip) to import asynchronously",
        request={"multipart/form-data": serializers.BatchUploadInputSerializer},
        responses={202: serializers.BatchJobSerializer, **errors(400, 403, 503)},
    )
    def post(self, request: Request) -> Response:
        incoming = serializers.BatchUploadInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        batch = batches.batch_upload_accept(
            institution=self.institution,
            upload=incoming.validated_data["file"],
            at=timezone.now(),
        )
        body = serializers.BatchJobSerializer(batch).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


JOB_ID = OpenApiParameter("job_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class BatchJobView(InstitutionApiView):
    @extend_schema(
        operation_id="batch_status",
        parameters=[JOB_ID],
        responses={200: serializers.BatchJobSerializer, **errors(404)},
    )
    def get(self, request: Request, job_id: str) -> Response:
        return Response(serializers.BatchJobSerializer(self._job(job_id)).data)

    def _job(self, job_id: str) -> ImportBatch:
        try:
            return selectors.import_batch_for_institution(
                institution=self.institution, import_batch_id=int(job_id)
            )
        except (ValueError, ImportBatch.DoesNotExist) as error:
            raise NotFound(_("No batch job %(id)s.") % {"id": job_id}) from error


class BatchReportView(BatchJobView):
    @extend_schema(
        operation_id="batch_error_report",
        parameters=[JOB_ID],
        summary="The rejected batch's error report (CSV: file, row, column, value, reason)",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(404),
        },
    )
    def get(self, request: Request, job_id: str) -> FileResponse:
        job = self._job(job_id)
        report = Path(job.report_path) if job.report_path else None
        if report is None or not report.is_file():
            raise NotFound(_("Batch job %(id)s has no error report.") % {"id": job_id})
        return FileResponse(
            report.open("rb"), content_type="text/csv; charset=utf-8", filename=report.name
        )


class PrecheckView(WritingApiView):
    """事前/事中 pre-check of one encounter against the real-time rules (3101/3102 shape)."""

    @extend_schema(
        operation_id="precheck",
        summary="Pre-check an encounter not yet settled (3101/3102)",
        request=serializers.PrecheckInputSerializer,
        responses={200: serializers.PrecheckOutputSerializer, **errors(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        checked = precheck.precheck_run(
            institution=self.institution,
            encounter=precheck_encounter(request.data),  # PrecheckInputSerializer's, faster
            raw=request.data,
            at=timezone.now(),
        )
        return Response(checked.response())  # PrecheckOutputSerializer's, made directly


class PrecheckDetailView(InstitutionApiView):
    @extend_schema(
        operation_id="precheck_read",
        responses={200: serializers.PrecheckRecordSerializer, **errors(404)},
    )
    def get(self, request: Request, task_id: str) -> Response:
        try:
            record = selectors.precheck_for_institution(
                institution=self.institution, task_id=task_id
            )
        except PrecheckRecord.DoesNotExist as error:
            raise NotFound(_("No pre-check %(id)s.") % {"id": task_id}) from error
        return Response(serializers.PrecheckRecordSerializer(record).data)


class PrecheckFeedbackView(InstitutionApiView):
    @extend_schema(
        operation_id="precheck_feedback",
        summary="Answer pre-check warnings: continue or modify, with a reason (3103)",
        request=serializers.PrecheckFeedbackInputSerializer,
        responses={
            201: serializers.PrecheckAnswerOutputSerializer(many=True),
            **errors(400, 409),
        },
    )
    def post(self, request: Request) -> Response:
        incoming = serializers.PrecheckFeedbackInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        answers = feedback.precheck_answer(
            institution=self.institution,
            warn_type=incoming.validated_data["warn_type"],
            warns=incoming.validated_data["warns"],
            credential=request.auth,
            at=timezone.now(),
        )
        body = serializers.PrecheckAnswerOutputSerializer(answers, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([])
@schema(None)
def api_not_found(request: Request) -> Response:
    """No such endpoint: the API's 404, in its JSON shape."""
    raise NotFound(_("No API endpoint %(path)s.") % {"path": request.path})
