from django.urls import path
from rest_framework.routers import SimpleRouter

from currencies import api

router = SimpleRouter()
router.register("rates", api.RateViewSet, basename="rate")

urlpatterns = [
    path("currencies/", api.CurrencyListView.as_view(), name="currencies"),
    *router.urls,
]
