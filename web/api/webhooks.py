"""A client's webhook subscriptions and their deliveries."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..helpers import now, service
from . import schemas
from .auth import client_caller

blp = Blueprint("api_webhooks", __name__, url_prefix="/api/v1/webhooks", description="Events out")


def _sub(s) -> dict:
    return {"id": s.id, "url": s.url, "events": list(s.events), "created_at": s.created_at, "active": s.active,
            "secret": s.secret}


@blp.route("")
class Subscriptions(MethodView):
    @blp.response(200, schemas.Subscription(many=True))
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    def get(self):
        """The client's subscriptions."""
        return [_sub(s) for s in service().webhooks.subscriptions(client_caller().client_id)]

    @blp.arguments(schemas.SubscriptionBody)
    @blp.response(201, schemas.Subscription)
    @blp.alt_response(400, schema=schemas.Problem, content_type="application/problem+json")
    @blp.alt_response(403, schema=schemas.Problem, content_type="application/problem+json")
    def post(self, body):
        """Subscribe a URL to events (task.created, task.completed, case.escalated, case.closed); the signing secret
        is in this answer only."""
        sub = service().webhooks.subscribe(client_caller().client_id, body["url"], body["events"], now())
        return _sub(sub), 201


@blp.route("/<int(max=2147483647):subscription_id>")
class SubscriptionResource(MethodView):
    @blp.response(204)
    @blp.alt_response(404, schema=schemas.Problem, content_type="application/problem+json")
    def delete(self, subscription_id):
        """End a subscription; its deliveries stay recorded."""
        service().webhooks.unsubscribe(subscription_id, client_caller().client_id)
        return ""


@blp.route("/<int(max=2147483647):subscription_id>/deliveries")
class Deliveries(MethodView):
    @blp.response(200, schemas.Delivery(many=True))
    @blp.alt_response(404, schema=schemas.Problem, content_type="application/problem+json")
    def get(self, subscription_id):
        """The subscription's deliveries, newest first: each attempt's outcome."""
        return [vars(d) for d in service().webhooks.deliveries(subscription_id, client_caller().client_id)]
