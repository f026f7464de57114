"""The API's request and response shapes (marshmallow): the OpenAPI description is generated from them."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from engine import API_SCOPES, WEBHOOK_EVENTS


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC with a Z, whatever zone the value was in."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        from datetime import timezone

        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Problem(Schema):
    """A problem document (RFC 9457)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "What was wrong with each field, by field id."})
    problems = fields.List(fields.Dict(), metadata={"description": "Every problem found in an uploaded diagram."})


class TaskListQuery(Schema):
    """Filters, sort and page of my tasks."""

    class Meta:
        unknown = EXCLUDE

    due = fields.String(validate=validate.OneOf(["overdue", "soon"]), metadata={
        "description": "overdue: past their due time; soon: overdue or due within 7 days."})
    sort = fields.String(load_default="urgency", validate=validate.OneOf(["urgency", "due", "newest"]))
    cursor = fields.String(validate=validate.Length(max=200), metadata={
        "description": "The `next_cursor` of the previous page."})
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class TaskItem(Schema):
    """One of my open tasks, as the inbox shows it (never the case's contents)."""

    task_id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    case_kind = fields.String(required=True)
    unit_id = fields.String(required=True)
    unit_name = fields.String(required=True)
    title = fields.String(required=True)
    role = fields.String(required=True)
    assignee_id = fields.String(allow_none=True)
    due_at = UTCDateTime(allow_none=True)
    overdue = fields.Boolean(required=True)
    escalated = fields.Boolean(required=True)
    serious = fields.Boolean(required=True)


class TaskPage(Schema):
    """A page of my tasks."""

    items = fields.List(fields.Nested(TaskItem), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    total = fields.Integer(required=True, metadata={"description": "Matching tasks on all pages."})


class Task(Schema):
    """A task I may open: its instructions, its form as a JSON schema, the values it has, what it shows."""

    id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    case_kind = fields.String(required=True)
    spec_id = fields.String(required=True)
    title = fields.String(required=True)
    role = fields.String(required=True)
    state = fields.String(required=True)
    assignee_id = fields.String(allow_none=True)
    candidates = fields.List(fields.String())
    due_at = UTCDateTime(allow_none=True)
    created_at = UTCDateTime(allow_none=True)
    completed_at = UTCDateTime(allow_none=True)
    serious = fields.Boolean(required=True)
    escalated = fields.Boolean(required=True)
    documentation = fields.String(allow_none=True)
    form = fields.Dict(required=True, metadata={"description": "The form's fields as a JSON schema (draft 2020-12)."})
    values = fields.Dict(required=True)
    material = fields.Dict(metadata={"description": "What the diagram shows on this task (a hearing's material)."})


class TaskState(Schema):
    """Where a task stands: who has it, who could take it (nothing of its content)."""

    id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    state = fields.String(required=True)
    assignee_id = fields.String(allow_none=True)
    candidates = fields.List(fields.String(), required=True)


class CompleteBody(Schema):
    """The answers to a task's form, by field id, typed as the form's schema says."""

    class Meta:
        unknown = EXCLUDE

    values = fields.Dict(keys=fields.String(), required=True)


class Completed(Schema):
    """A completed task and where its case stands now."""

    task_id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    case_status = fields.String(required=True)


class CaseStart(Schema):
    """A report, with the same fields and checks as the report form."""

    class Meta:
        unknown = EXCLUDE

    actor = fields.String(required=True, metadata={"description": "citizen, patient, relative (violence); "
                                                                  "colleague, manager (harassment)"})
    reporting_as = fields.String(required=True, metadata={"description": "self, witness, second_hand, survey"})
    unit_id = fields.String(required=True)
    description = fields.String(load_default="")
    serious = fields.Boolean(load_default=False)
    employee_id = fields.String(metadata={"description": "For a witness: the person (id or name) it happened to."})
    accused_id = fields.String(metadata={"description": "Harassment: the person (id or name) who acted."})
    kind = fields.String(metadata={"description": "Harassment: offensive, bullying, sexual_harassment, sexism"})
    incident_at = fields.DateTime(metadata={"description": "Violence: when it happened (ISO 8601 with offset)."})
    location = fields.String()
    violence_type = fields.String(metadata={"description": "Violence: physical or psychological"})
    severity = fields.Integer(metadata={"description": "Violence: 1 to 5"})
    injured = fields.Boolean(load_default=False)
    witnesses_present = fields.Boolean(load_default=False)
    witnesses = fields.String(load_default="")


class Started(Schema):
    """The case a report started."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)


class Case(Schema):
    """A case at the level the caller may see it: status only, timeline, or full (data and parties)."""

    id = fields.Integer(required=True)
    level = fields.String(required=True, validate=validate.OneOf(["status", "timeline", "full"]))
    kind = fields.String(required=True)
    status = fields.String(required=True)
    unit_id = fields.String(required=True)
    serious = fields.Boolean(required=True)
    confidential = fields.Boolean(required=True)
    escalated = fields.Boolean(required=True)
    definition_version = fields.Integer(required=True)
    created_at = UTCDateTime(required=True)
    closed_at = UTCDateTime(allow_none=True)
    data = fields.Dict(metadata={"description": "The case's answers: only at the level full."})
    parties = fields.Dict(metadata={"description": "Who is party to the case: only at the level full."})


class EventQuery(Schema):
    """A page of a case's events."""

    class Meta:
        unknown = EXCLUDE

    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class Event(Schema):
    """One event of a case's timeline: without full access, the role that acted rather than who."""

    id = fields.Integer(required=True)
    at = UTCDateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    task_id = fields.String(allow_none=True)
    details = fields.Dict(required=True)


class EventPage(Schema):
    """A page of events, oldest first."""

    items = fields.List(fields.Nested(Event), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class Definition(Schema):
    """A deployed diagram version."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    content_hash = fields.String(required=True)
    deployed_at = UTCDateTime(required=True)
    deployed_by = fields.String(required=True)


class Upload(Schema):
    """A .bpmn file."""

    diagram = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class DeployForm(Schema):
    """What the preview was shown against."""

    class Meta:
        unknown = EXCLUDE

    reviewed_against = fields.Integer(allow_none=True, metadata={
        "description": "The current version the preview showed (leave out when there was none)."})


class Change(Schema):
    """One difference against the current version."""

    change = fields.String(required=True)
    category = fields.String(required=True)
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    detail = fields.String(required=True)
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)


class Preview(Schema):
    """A checked diagram, not deployed: what it changes against the current version."""

    kind = fields.String(required=True)
    name = fields.String(required=True)
    content_hash = fields.String(required=True)
    current_version = fields.Integer(allow_none=True, required=True)
    existing_version = fields.Integer(allow_none=True, required=True)
    changes = fields.List(fields.Nested(Change), required=True)


class TokenRequest(Schema):
    """OAuth2 client credentials (RFC 6749 §4.4), as a form; the id and secret may come by HTTP Basic instead."""

    class Meta:
        unknown = EXCLUDE

    grant_type = fields.String(required=True, validate=validate.Equal("client_credentials"))
    client_id = fields.String(validate=validate.Length(max=100))
    client_secret = fields.String(validate=validate.Length(max=200))
    scope = fields.String(validate=validate.Length(max=500), metadata={
        "description": "Space-separated, among " + " ".join(API_SCOPES)})


class TokenResponse(Schema):
    """A bearer token for the client."""

    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    scope = fields.String(required=True)


class SubscriptionBody(Schema):
    """A new webhook subscription."""

    class Meta:
        unknown = EXCLUDE

    url = fields.String(required=True, validate=validate.Length(max=2000))
    events = fields.List(fields.String(validate=validate.OneOf(list(WEBHOOK_EVENTS.values()))), required=True)


class Subscription(Schema):
    """A webhook subscription; `secret` only in the answer that made it."""

    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    created_at = UTCDateTime(required=True)
    active = fields.Boolean(required=True)
    secret = fields.String(allow_none=True, metadata={"description": "The signing secret, shown this once."})


class Delivery(Schema):
    """One delivery of an event to a subscription."""

    id = fields.Integer(required=True)
    event = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    next_attempt_at = UTCDateTime(allow_none=True)
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = UTCDateTime(required=True)
    delivered_at = UTCDateTime(allow_none=True)
    payload = fields.Dict(required=True)
