"""The API's pagination: DRF's page numbers, with an empty ?page= refused like ?page=abc."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class StrictPageNumberPagination(PageNumberPagination):
    """The schema says page is an integer; DRF would read "?page=" as page 1."""

    def get_page_number(self, request: Request, paginator: Paginator) -> str | int:
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound(_("Give a page number or leave the parameter out."))
        return super().get_page_number(request, paginator)
