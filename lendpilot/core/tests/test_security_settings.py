"""Safe defaults: production is the default (DEBUG off, secrets required), `check --deploy` is clean with the
README's production environment, and every page carries a Content Security Policy that its own scripts pass
(no inline script without the response's nonce)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted((ROOT / "lendpilot").glob("*/templates/**/*.html"))
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def production_environment() -> dict[str, str]:
    """The README's production environment (Settings section), with fresh secrets."""
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "lendpilot.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://lendpilot.example.com",
        "LENDPILOT_FIELD_KEYS": Fernet.generate_key().decode(),
        "LENDPILOT_HASH_KEY": secrets.token_urlsafe(32),
        "LENDPILOT_AUDIT_KEY": secrets.token_urlsafe(32),
        "LENDPILOT_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
    }


# Set by the test process itself (the browser fixture allows the ORM beside Playwright's event loop);
# a production server never has them.
TEST_PROCESS_ONLY = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in production_environment() and k not in TEST_PROCESS_ONLY}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env={**clean, **env}, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_environment_is_the_one_the_readme_documents():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    settings_section = readme.split("## Settings", 1)[1]
    for name in production_environment():
        assert f"`{name}`" in settings_section, name


def test_without_debug_the_settings_refuse_to_start_on_development_secrets():
    result = manage("check", env={})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_the_audit_key_refuses_to_start():
    env = production_environment()
    del env["LENDPILOT_AUDIT_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0 and "LENDPILOT_AUDIT_KEY must be set" in result.stderr


def test_pages_carry_a_content_security_policy_with_a_nonce(client, world):
    client.force_login(world.user("director"))
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    html = response.content.decode()
    inline = [attrs for attrs in SCRIPT_TAG.findall(html) if "src=" not in attrs]
    assert inline, "the home page draws its chart with an inline script"
    assert all(f'nonce="{nonce}"' in attrs or "application/json" in attrs for attrs in inline)


def test_the_login_page_is_under_the_policy_too(client, db):
    assert "default-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "lendpilot")))
def test_templates_have_no_inline_script_without_a_nonce(template):
    for attrs in SCRIPT_TAG.findall(template.read_text(encoding="utf-8")):
        if "src=" in attrs or "application/json" in attrs:
            continue
        assert 'nonce="{{ request.csp_nonce }}"' in attrs, f"inline <script{attrs}> without the CSP nonce"


def test_production_redirects_pages_to_https_but_not_the_health_probes():
    script = ("from django.test import Client; c = Client(); "
              "print(c.get('/login/').status_code, c.get('/healthz').status_code)")
    result = manage("shell", "-c", script, env={**production_environment(), "ALLOWED_HOSTS": "testserver"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["301", "200"]
