"""What tests build their inputs from, shared by every tier.

- ``deliveries``: typed frames of kona feeds and ``deliver`` (a file and manifest in a landing zone)
- ``staged``: staged frames of any feed, filled with plausible defaults (``staged``, ``empty``, ``token``)
- ``spending_month``: one hand-computed month of kona deliveries with known answers
"""
