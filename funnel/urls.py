from django.contrib.auth import views as auth_views
from django.urls import include, path

from funnel import views
from funnel.login_throttle import ThrottledAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            # Says plainly when repeated failures have paused sign-in (login_throttle.py).
            authentication_form=ThrottledAuthenticationForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", include("funnel.dashboard_urls")),
]
