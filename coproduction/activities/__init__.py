"""The workshop's activities, one module each: shared language (with its consensus
rule), method selection, timelines and feedback loops. Each declares its ``ACTIVITY``
(see :mod:`coproduction.core.activity`), which is all the rest of the kit reaches."""
