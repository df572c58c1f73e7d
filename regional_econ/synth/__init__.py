"""Synthetic deliveries of every feed, realistic enough to exercise the whole platform.

``generate(out, start, days, scale, seed, defect_rate)`` writes what the nine centers
would drop in the landing zone for the window, through ``landing.write_delivery`` (each
contract's format, encoding and header), and returns a ``GenerationReport``.
Calibrated to the real 2019 portal data (``reference/calibration_*``); scale 1.0 is real
scale (~600,000 transactions a day, 3M cards, 200,000 merchants); defects with their
ground truth on request. One module per center; ``common``, ``areas``, ``calibration``
and ``businesses`` are shared.
"""

from regional_econ.synth.generate import GenerationReport, generate

__all__ = ["generate", "GenerationReport"]
