"""The staff day view (``/staff/``): a branch's agenda per resource, arrivals and walk-ins."""
