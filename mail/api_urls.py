from django.urls import path
from rest_framework.routers import SimpleRouter

from mail import api

router = SimpleRouter()
router.register("emails", api.MessageViewSet, basename="email")
router.register("email-templates", api.TemplateViewSet, basename="email-template")
router.register("email-suppressions", api.SuppressionViewSet, basename="email-suppression")
router.register("email-sends", api.CampaignSendViewSet, basename="email-send")

urlpatterns = [
    path("leads/<int:pk>/emails/", api.LeadEmailView.as_view(), name="lead-emails"),
    path(
        "sequences/<int:pk>/email-report/",
        api.SequenceEmailReportView.as_view(),
        name="sequence-email-report",
    ),
    path(
        "enrolments/<int:pk>/mark-replied/",
        api.EnrolmentRepliedView.as_view(),
        name="enrolment-mark-replied",
    ),
    path("sequence-steps/<int:pk>/email/", api.StepEmailView.as_view(), name="step-email"),
    *router.urls,
]
