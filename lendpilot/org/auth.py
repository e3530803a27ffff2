"""Sign-in throttling: django-axes' lockout check in front of the model backend."""

from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in over HTTP while the user name or the client address is locked out. A sign-in with
    no request (a shell, the test client's `login`) has no client to throttle and goes straight to the
    model backend; every web sign-in (the login page, the admin) passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
