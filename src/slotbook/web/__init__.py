"""The citizen's booking page: server-rendered HTML over the booking use cases."""
