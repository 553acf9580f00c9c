from django.urls import path

from . import views

app_name = "homecare"

urlpatterns = [
    path("me/", views.elder_page, name="me"),
    path("worker/", views.worker_page, name="worker"),
    path("worker/tasks/<int:pk>/claim/", views.claim_task, name="claim"),
    path("worker/tasks/<int:pk>/record/", views.record_task, name="record"),
    path("audit/", views.audit_page, name="audit"),
    path("audit/records/<int:pk>/review/", views.review_record, name="review"),
    path("audit/records/<int:pk>/revisit/", views.answer_revisit, name="revisit"),
    path("audit/draw/", views.draw_revisits, name="draw"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("records/<int:pk>/signature.png", views.signature, name="signature"),
    path("statements/<int:provider_id>/", views.statement, name="statement"),
    path("statements/<int:provider_id>/issue/", views.issue, name="issue"),
    path("elders/", views.elders, name="elders"),
    path("elders/apply/", views.apply_page, name="apply"),
    path("elders/<int:pk>/", views.elder_detail, name="elder"),
    path("elders/<int:pk>/assess/", views.assess_elder, name="assess"),
    path("elders/<int:pk>/approve/", views.approve_elder, name="approve"),
    path("elders/<int:pk>/refuse/", views.refuse_elder, name="refuse"),
    path("elders/<int:pk>/review/", views.review_elder, name="review_elder"),
    path("elders/<int:pk>/grade/", views.change_grade, name="grade"),
    path("elders/<int:pk>/leave/", views.leave_elder, name="leave"),
    path("elders/<int:pk>/exceptions/", views.request_exception, name="request_exception"),
    path("elders/<int:pk>/health/", views.reveal_health, name="health"),
    path("reviews/", views.reviews_page, name="reviews"),
    path("exceptions/", views.exceptions_page, name="exceptions"),
    path("exceptions/<int:pk>/approve/", views.approve_exception, name="approve_exception"),
    path("providers/", views.providers_page, name="providers"),
    path("providers/<int:pk>/status/", views.provider_status, name="provider_status"),
    path("providers/<int:pk>/evaluation/", views.evaluation_page, name="evaluation"),
    path("providers/<int:pk>/evaluation/checks/", views.record_provider_check, name="provider_check"),
    path("providers/<int:pk>/evaluation/score/", views.evaluate_provider, name="evaluate"),
]
