"""The REST API for hospital and pharmacy systems (issue 5): /api/v1/…

Each request authenticates with an institution's API credential (`Authorization: Bearer
<key>`), sees only that institution's data, and gets errors in one JSON shape.
"""
