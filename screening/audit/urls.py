"""URLs of this app, mounted at the site root by medins/urls.py: each path carries its own
prefix, here audit/."""

urlpatterns: list = []
