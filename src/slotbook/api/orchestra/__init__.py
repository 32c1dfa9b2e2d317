"""Orchestra Calendar Public Appointment API (``/calendar-backend/public/api``)."""
