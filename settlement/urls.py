"""URLs of this app, mounted at the site root by medins/urls.py: each path carries its own
prefix, here api/ (hospital systems) and settlement/ (back office)."""

urlpatterns: list = []
