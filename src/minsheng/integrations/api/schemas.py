"""The JSON API's documents (they make the OpenAPI document too)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import model_validator

from minsheng.core.errors import ValidationFailed
from minsheng.core.text import check_storable


class InputSchema(Schema):
    """Every input document: text a database cannot store is refused by field."""

    @model_validator(mode="after")
    def refuse_unstorable_text(self):
        try:
            check_storable(self.model_dump())
        except ValidationFailed as refusal:
            field = next(iter(refusal.field_errors))
            raise ValueError(f"{field}: {refusal.message}") from None
        return self


class ErrorDetail(Schema):
    code: str = Field(description="A stable code: invalid_input, forbidden, not_found, version_conflict…")
    message: str = Field(description="What went wrong, in the request's language (Accept-Language).")
    fields: dict[str, list[str]] = Field(default_factory=dict, description="Messages per input field.")


class Error(Schema):
    error: ErrorDetail


class ReporterIn(InputSchema):
    name: str = Field("", max_length=50)
    phone: str = Field(max_length=30)
    id_number: str = Field("", max_length=30)


class DemandIn(InputSchema):
    channel: str = Field("api", max_length=16, description="hotline, web, wechat, station, patrol, meeting, "
                                                          "police_110, email or api")
    demand_type: str = Field(max_length=32, description="consultation, help, complaint, report, suggestion, praise")
    category: str | None = Field(None, max_length=64, description="A category code, see /open311/v2/services.json")
    title: str = Field(max_length=200)
    description: str = Field(max_length=8000)
    region: str = Field(max_length=40, description="Region code: a grid, community, street or building")
    urgency: str = Field("general", max_length=32, description="danger, utilities, general or complex")
    address: str = Field("", max_length=500)
    latitude: float | None = None
    longitude: float | None = None
    reporter: ReporterIn | None = None
    hide_name: bool = False
    consent: bool = False
    attributes: dict[str, str | list[str]] | None = Field(
        None, description="Answers to the category's extra questions (Open311 service definition), by code")
    media_url: str = Field("", max_length=1000)
    reporter_email: str = Field("", max_length=300)


class ReporterOut(Schema):
    name: str
    phone: str = Field(description="Masked: 138****1234")


class DemandOut(Schema):
    number: str
    version: int = Field(description="Send it back (If-Match or the version field) with an action.")
    state: str
    state_label: str
    time_status: Literal["green", "yellow", "red", "blue", ""] = Field(
        description="green on track, yellow little time left, red overdue, blue suspended; empty when not timed")
    channel: str
    demand_type: str
    category: str | None
    title: str
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    region: str
    region_name: str
    handling_unit: str | None
    handling_unit_name: str | None
    urgency: str
    reporter: ReporterOut | None
    contact_due: datetime | None
    handle_due: datetime | None
    registered_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    result: str
    satisfaction: str
    solved: str = ""
    merged_into: str | None


class DemandPage(Schema):
    items: list[DemandOut]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page.")


class EventOut(Schema):
    seq: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor_role: str
    actor_unit: str | None
    note: str
    public: bool
    created_at: datetime


class ActionIn(InputSchema):
    """The inputs of every action; each action uses its own (see the action's description)."""

    version: int | None = Field(None, description="The version you read; or send it as If-Match.")
    reason: str | None = Field(None, max_length=8000)
    result: str | None = Field(None, max_length=8000)
    note: str | None = Field(None, max_length=8000)
    comment: str | None = Field(None, max_length=8000)
    contact: bool | None = None
    public: bool | None = None
    unit: str | None = Field(None, max_length=40, description="A unit code")
    urgency: str | None = Field(None, max_length=32)
    category: str | None = Field(None, max_length=64)
    until: datetime | None = None
    satisfaction: str | None = Field(None, max_length=32)
    solved: str | None = Field(None, max_length=16, description="revisit: solved, partly_solved or unsolved")
    into: str | None = Field(None, max_length=20, description="The number of the demand to merge into")
    instruction: str | None = Field(None, max_length=8000, description="order_supervision: what must be answered")
    reply_by: datetime | None = Field(None, description="order_supervision: the date the written reply is due")
    reply: str | None = Field(None, max_length=8000, description="reply_supervision: the written reply")
    units: list[str] | None = Field(None, max_length=20, description="summon: codes of the units summoned")
    report_hours: float | None = Field(None, description="summon: hours each summoned unit has to report in")
    report: str | None = Field(None, max_length=8000, description="report_in: the summoned unit's report")
    method: str | None = Field(None, max_length=16, description="revisit_attempt: phone or sms")
