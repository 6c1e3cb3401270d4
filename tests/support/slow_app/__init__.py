"""A test-only Django settings module that adds a slow view, for the graceful-stop tests.

The test tier selects it with DJANGO_SETTINGS_MODULE=tests.support.slow_app.settings. It lives under
tests/, which no image contains, so /slow is never routable in the product.
"""
