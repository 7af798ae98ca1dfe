"""Webhook deliveries: the outbox pushed to the consultation engine's endpoints,
signed as Standard Webhooks (`bot.delivery.deliverer`)."""
