"""The JSON API under /api/: one NinjaAPI, its OpenAPI document at /api/openapi.json and
its docs page at /api/docs (Swagger UI served from django-ninja's own static files)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from minsheng.core.errors import MinshengError

from .auth import AUTH
from .demands import router as demands_router

api = NinjaAPI(
    title="Minsheng API", version="1", urls_namespace="api", auth=AUTH,
    description=(
        "Demands (诉求) for integrations: the 12345 platform, mini-programs, 110 transfers, dashboards. "
        "Authenticate with an API key (header X-API-Key or Authorization: Bearer) or, from the web pages, "
        "with your session and its CSRF token. Errors always have the form "
        '{"error": {"code", "message", "fields"}}, with the message in the language of Accept-Language.'),
)
api.add_router("/", demands_router)


def _error(request: HttpRequest, status: int, code: str, message: str,
           fields: dict[str, list[str]] | None = None) -> HttpResponse:
    return api.create_response(request, {"error": {"code": code, "message": message, "fields": fields or {}}},
                               status=status)


@api.exception_handler(MinshengError)
def _refusal(request: HttpRequest, exc: MinshengError) -> HttpResponse:
    response = _error(request, exc.status, exc.code, exc.message, exc.field_errors)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "filters")]
        fields.setdefault(".".join(location) or "body", []).append(error.get("msg", ""))
    return _error(request, 400, "invalid_input", _("请求内容不符合要求，请检查各字段。"), fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("请提供有效的接口密钥，或先登录。"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "forbidden" if exc.status_code == 403 else "error"
    message = _("CSRF 校验失败，请刷新页面后重试。") if exc.status_code == 403 else str(exc)
    return _error(request, exc.status_code, code, message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("请求的资源不存在。"))
