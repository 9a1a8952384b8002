"""The people who run the work, not the sessions: the plan the group can see
(:mod:`.plan`), the ethics questions as a living list (:mod:`.ethics`), and each staff
member's private pages for reflection and debriefs (:mod:`.staff`).

These are part of the core: no activity is imported here, and an activity never needs
them.
"""
