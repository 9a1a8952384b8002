"""The live servers: starting and stopping them (:mod:`.serve`), what runs inside a
server process (Voilà with the kit's handlers, its kernel managers, its limits), and the
kernel behind every page."""
