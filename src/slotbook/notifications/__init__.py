"""Notifications: the outbox's messages (e-mail, webhooks, SMS) and the worker that sends them."""
