"""Routing security (MANRS): MRT decoding, RPKI route origin validation, incidents, scores.

The computation lives in Django-free modules (``mrt``, ``rov``…); the app shell (models,
pages, API) comes with the rest of the routing issue."""
