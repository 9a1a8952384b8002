"""The core every activity stands on: the people taking part and what they were told,
sessions and their rounds, checks on everything typed, the activity seam, settings and
where the kit's files live. Nothing here imports an activity."""
