from rest_framework.routers import SimpleRouter

from leads import api

# path()-style routes: the viewsets' `int` converter types `{id}` in the schema.
router = SimpleRouter(use_regex_path=False)
router.register("leads", api.LeadViewSet, basename="lead")
router.register("prospects", api.ProspectViewSet, basename="prospect")
router.register("customers", api.CustomerViewSet, basename="customer")
urlpatterns = router.urls
