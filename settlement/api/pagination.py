"""The API's pagination: DRF's page numbers, with an empty ?page= refused like ?page=abc."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class ShortListPaginator(Paginator):
    """Django's paginator, except that a first page with room to spare is the whole list and
    gives the count itself: no COUNT query (most institutions' flags fit on one page)."""

    def page(self, number: int | str) -> Page:
        plain = self.allow_empty_first_page and not self.orphans  # page 1 is always there
        if str(number) != "1" or not plain or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.count = len(rows)
        return self._get_page(rows, 1, self)


class StrictPageNumberPagination(PageNumberPagination):
    """The schema says page is an integer; DRF would read "?page=" as page 1."""

    django_paginator_class = ShortListPaginator

    def get_page_number(self, request: Request, paginator: Paginator) -> str | int:
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound(_("Give a page number or leave the parameter out."))
        return super().get_page_number(request, paginator)
