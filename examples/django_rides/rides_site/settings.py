"""Settings of the example site: one app, SQLite, the PNS credentials of the demo AXB application."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "example-only-not-a-secret"
DEBUG = False
# customer.local: the host name pns-mock's push driver uses for a WSGI app it calls in-process
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "customer.local"]

INSTALLED_APPS = ["rides"]
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "rides_site.urls"
WSGI_APPLICATION = "rides_site.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

# The Private Number Service: the vendor's host; in tests pns-mock answers it in-process.
PNS_BASE_URL = "https://rtcpns.cn-north-1.myhuaweicloud.com"
PNS_APP_KEY = "demo-axb"
PNS_APP_SECRET = "demo-axb-secret"
