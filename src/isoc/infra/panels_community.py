"""A Pulse country page section (register with ``isoc.pulse.country_panels.register``)."""
