"""URLs as docs/getting_started.rst and docs/tutorial/tutorial_02.rst show them, with the
domain-root mount of metadata_urlpatterns that docs/oauth2_server_metadata.rst tells a deployment
under a prefix to add ("should therefore expose discovery at all three URLs")."""

from django.contrib import admin
from django.urls import include, path
from oauth2_provider import urls as oauth2_urls
from oauth2_provider.urls import metadata_urlpatterns

from .views import ApiEndpoint

urlpatterns = [
    path("", include((metadata_urlpatterns, "oauth2_provider"), namespace="oauth2_metadata")),
    path("admin/", admin.site.urls),
    path("o/", include(oauth2_urls)),
    path("api/hello", ApiEndpoint.as_view()),  # tutorial_02.rst: an example resource endpoint
]
