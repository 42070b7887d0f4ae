from django.urls import include, path

app_name = "judging"

urlpatterns = []
urlpatterns += [path("", include("judging.urls_awards"))]
