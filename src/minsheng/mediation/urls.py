from django.urls import path

from . import views

app_name = "mediation"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.new_case, name="new"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/session/", views.add_session, name="session"),
    path("<int:pk>/agreement/", views.agreement, name="agreement"),
    path("<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("<int:pk>/failure/", views.failure, name="failure"),
    path("<int:pk>/follow-ups/<int:follow_up>/", views.follow_up, name="follow_up"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/parties/<int:party>/reveal/", views.reveal_party, name="reveal"),
    path("signatures/<int:pk>.png", views.signature_image, name="signature"),
]
