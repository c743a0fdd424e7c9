"""Settings of the host app: a Django project set up as Django OAuth Toolkit's "Getting started"
and tutorial pages show (docs/getting_started.rst, docs/tutorial/tutorial_01.rst,
docs/resource_server.rst), library defaults everywhere else.

The state (the SQLite database) lives in the folder named by DOT_STATE_DIR, which serve.py sets
from its command line."""

import os
from pathlib import Path

STATE_DIR = Path(os.environ["DOT_STATE_DIR"])

# A throwaway key for a test server that lives for one run on 127.0.0.1.
SECRET_KEY = "conformance-realservers-django-oauth-toolkit-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# As startproject writes it, plus oauth2_provider (getting_started.rst, tutorial_01.rst).
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dotserver.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "dotserver.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": STATE_DIR / "db.sqlite3",
        # The suite sends up to 8 requests at once. SQLite is a single-writer database: Django's
        # notes on SQLite ("Database is locked errors", "Transactions behavior") advise IMMEDIATE
        # transactions and a longer timeout for concurrent writers, and WAL lets readers go on while
        # one writes. A production DOT deployment would use PostgreSQL; without these a race would
        # show SQLite's locking (HTTP 500 "database is locked"), not DOT's behaviour.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL;",
        },
    }
}

# DOT hashes client secrets with the first of PASSWORD_HASHERS (settings.rst, CLIENT_SECRET_HASHER),
# and so does Django the user's password: with the default PBKDF2 (over a million iterations) every
# token request costs about a second of CPU, and the suite sends hundreds. Django's testing
# documentation ("Speeding up the tests", "Password hashing") recommends MD5PasswordHasher for tests.
# It changes how fast a secret is checked, not whether it is accepted.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# getting_started.rst: "We will use Django Admin login to make our life easy."
LOGIN_URL = "/admin/login/"

# settings.rst (the example block) and resource_server.rst (the introspection scope): the scopes.
# Everything else is DOT's default: ACCESS_TOKEN_EXPIRE_SECONDS 36000, ROTATE_REFRESH_TOKEN True,
# REFRESH_TOKEN_GRACE_PERIOD_SECONDS 0, REFRESH_TOKEN_REUSE_PROTECTION False, DEFAULT_SCOPES all.
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read scope",
        "write": "Write scope",
        "introspection": "Introspect token scope",
    },
}

# Request lines go to stderr (the server's log file), as under runserver; nothing to stdout.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {"django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
}
