"""The protected resource, as docs/tutorial/tutorial_02.rst ("Make your API") writes it."""

from django.http import HttpResponse
from oauth2_provider.views.generic import ProtectedResourceView


class ApiEndpoint(ProtectedResourceView):
    def get(self, request, *args, **kwargs):
        return HttpResponse("Hello, OAuth2!")
