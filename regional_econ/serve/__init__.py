"""Serving the data to the people it is for: the portal and the Open API (DESIGN section 11).

In the order a request meets them: ``keys`` (who may read what, quotas, the call log), ``api``
(the Open API in the Korean public-data convention, over the warehouse opened read-only),
``founder`` and ``geo`` (the founder's traffic light and the si/gun boundaries the map draws),
``app`` (the web layer: routes, templates, static files).
"""
