"""CACHE_URL chooses the cache: one per process by default, Redis shared by every process in production."""

import socket
import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from lendpilot.core.cache_url import DUMMY, LOCMEM, REDIS, caches_from_url

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def test_no_url_gives_one_cache_per_process():
    assert caches_from_url(None) == {"default": {"BACKEND": LOCMEM, "LOCATION": "lendpilot"}}
    assert caches_from_url("  ") == caches_from_url("")
    assert caches_from_url("locmem://figures")["default"] == {"BACKEND": LOCMEM, "LOCATION": "figures"}
    assert caches_from_url("dummy://")["default"] == {"BACKEND": DUMMY}


def test_a_redis_url_gives_the_shared_cache_with_its_own_key_prefix():
    assert caches_from_url("redis://cache:6379/1")["default"] == {"BACKEND": REDIS, "LOCATION": "redis://cache:6379/1"}
    tls = caches_from_url("rediss://:secret@cache.internal:6380/0?key_prefix=lp-prod&ssl_cert_reqs=required")
    assert tls["default"] == {"BACKEND": REDIS, "KEY_PREFIX": "lp-prod",
                              "LOCATION": "rediss://:secret@cache.internal:6380/0?ssl_cert_reqs=required"}
    assert caches_from_url("unix:///run/redis.sock?db=2")["default"]["LOCATION"] == "unix:///run/redis.sock?db=2"


@pytest.mark.parametrize("url", ["memcached://cache:11211", "redis://", "cache:6379"])
def test_a_url_that_names_no_cache_is_refused_naming_the_url(url):
    with pytest.raises(ValueError, match="CACHE_URL"):
        caches_from_url(url)


def _redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


def test_two_caches_on_one_redis_see_the_same_figure():
    """What two web workers do: one stores the live figures, the other reads them."""
    if not _redis_reachable():
        pytest.skip(f"REDIS TEST SKIPPED: nothing answers at {REDIS_HOST}:{REDIS_PORT}")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    config = caches_from_url(f"redis://{REDIS_HOST}:{REDIS_PORT}/0?key_prefix={prefix}")["default"]
    with override_settings(CACHES={"default": config, "other": dict(config)}):
        writer, reader = caches["default"], caches["other"]
        assert isinstance(writer, RedisCache) and writer is not reader
        try:
            writer.set("cockpit:live", {"disbursed": "1,250,000.00", "loans": 3}, 60)
            assert reader.get("cockpit:live") == {"disbursed": "1,250,000.00", "loans": 3}
            reader.delete("cockpit:live")
            assert writer.get("cockpit:live") is None
        finally:
            writer.delete("cockpit:live")
            writer.close()
            reader.close()
