"""Django's CACHES setting from one URL (`CACHE_URL`), as DATABASE_URL gives DATABASES. Pure, no ORM.

    (unset) or locmem://            one cache per process (development, a single process)
    redis://[:password@]host:6379/0 Redis, shared by every web process and worker (production);
    rediss://...                    Redis over TLS;  unix:///run/redis.sock?db=0 a local socket
    dummy://                        no cache at all

The command centre's live figures are cached for a minute; with several web workers only a shared
cache makes every worker show the same figure. `?key_prefix=lp` separates installations sharing one Redis.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
REDIS = "django.core.cache.backends.redis.RedisCache"
DUMMY = "django.core.cache.backends.dummy.DummyCache"


def caches_from_url(url: str | None) -> dict[str, dict[str, object]]:
    """CACHES with one `default` cache described by `url`; ValueError naming the URL when it is not one."""
    url = (url or "").strip()
    if not url:
        return {"default": {"BACKEND": LOCMEM, "LOCATION": "lendpilot"}}
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    config: dict[str, object]
    if parts.scheme == "locmem":
        config = {"BACKEND": LOCMEM, "LOCATION": parts.netloc or parts.path.strip("/") or "lendpilot"}
    elif parts.scheme in ("redis", "rediss", "unix"):
        if parts.scheme != "unix" and not parts.hostname:
            raise ValueError(f"CACHE_URL {url!r} names no Redis host (redis://host:6379/0)")
        # The key prefix is ours, not the Redis client's: the rest of the query stays in the location.
        kept = "&".join(f"{k}={v}" for k, values in options.items() if k != "key_prefix" for v in values)
        location = url.split("?", 1)[0]
        config = {"BACKEND": REDIS, "LOCATION": f"{location}?{kept}" if kept else location}
    elif parts.scheme == "dummy":
        config = {"BACKEND": DUMMY}
    else:
        raise ValueError(f"CACHE_URL {url!r}: the scheme is one of locmem, redis, rediss, unix, dummy")
    if options.get("key_prefix"):
        config["KEY_PREFIX"] = options["key_prefix"][0]
    return {"default": config}
