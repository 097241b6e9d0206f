from django.urls import path

from currencies import views

app_name = "currencies"

urlpatterns = [
    path("", views.rates, name="rates"),
    path("add/", views.rate_add, name="rate_add"),
    path("import/", views.rates_import, name="rates_import"),
    path("<int:pk>/delete/", views.rate_delete, name="rate_delete"),
]
