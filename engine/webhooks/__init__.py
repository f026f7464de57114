"""Events out: webhook subscriptions, deliveries from the event log with retries, signed with HMAC-SHA256."""
from engine.webhooks.service import EVENTS, DeliveryInfo, SubscriptionInfo, WebhookService
from engine.webhooks.signing import sign, verify

__all__ = ["EVENTS", "DeliveryInfo", "SubscriptionInfo", "WebhookService", "sign", "verify"]
