"""Station dashboards: requests per day and item, on-the-spot rate, handling time, overdue,
satisfaction; over the stations a user may see."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from services.models import ServiceRequest, Station

DAYS = 14  # the per-day chart's span


def dashboard(*, stations: QuerySet[Station], today: date, days: int = DAYS) -> dict:
    """Figures over the stations' requests; rates are None when nothing was closed yet."""
    requests = ServiceRequest.objects.filter(station__in=stations)
    first = today - timedelta(days=days - 1)
    per_day = {first + timedelta(days=n): 0 for n in range(days)}
    for created in requests.filter(created_at__date__gte=first).values_list(
        "created_at", flat=True
    ):
        day = timezone.localtime(created).date()
        if day in per_day:
            per_day[day] += 1
    done = list(
        requests.filter(status=ServiceRequest.Status.DONE).values_list("created_at", "closed_at")
    )
    on_the_spot = sum(
        timezone.localtime(start).date() == timezone.localtime(end).date() for start, end in done
    )
    hours = [(end - start).total_seconds() / 3600 for start, end in done]
    ratings = requests.aggregate(  # and the counts: one query
        average=Avg("rating"),
        rated=Count("rating"),
        good=Count("pk", filter=Q(rating__gte=4)),
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=ServiceRequest.OPEN, due_date__lt=today)),
    )
    peak = max(per_day.values(), default=0) or 1
    return {
        "per_day": [(day, count, round(100 * count / peak)) for day, count in per_day.items()],
        "per_item": list(
            requests.values("item__code", "item__name").annotate(n=Count("pk")).order_by("-n")[:20]
        ),
        "total": ratings["total"],
        "done": len(done),
        "on_the_spot_rate": on_the_spot / len(done) if done else None,
        "average_hours": sum(hours) / len(hours) if hours else None,
        "overdue": ratings["overdue"],
        "rating_average": ratings["average"],
        "rated": ratings["rated"],
        "good_rate": ratings["good"] / ratings["rated"] if ratings["rated"] else None,
    }


def per_station(*, stations: QuerySet[Station], today: date, limit: int = 50) -> list[dict]:
    """Each station's requests, completed, overdue and average rating, busiest first."""
    return list(
        ServiceRequest.objects.filter(station__in=stations)
        .values("station__code", "station__name", "station__level")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=ServiceRequest.Status.DONE)),
            overdue=Count("pk", filter=Q(status__in=ServiceRequest.OPEN, due_date__lt=today)),
            rating=Avg("rating"),
        )
        .order_by("-total", "station__code")[:limit]
    )
