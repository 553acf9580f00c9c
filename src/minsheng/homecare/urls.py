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
    path("statements/<int:provider_id>/", views.statement, name="statement"),
    path("statements/<int:provider_id>/issue/", views.issue, name="issue"),
    path("elders/", views.elders, name="elders"),
]
