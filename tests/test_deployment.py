"""Absolute URLs behind a TLS-terminating proxy (docs/deployment.md, "TLS behind a proxy").

``Location``, ``meta.location``, every ``$ref`` and Bulk's ``location`` (RFC 7644 §3.1,
§3.7.3; RFC 7643 §3.1) are absolute URLs built from the request with Django's
``build_absolute_uri()``. Behind a proxy that terminates TLS, the request Django sees is
the proxy's plain-HTTP one to the app server: unless Django is told to trust the proxy's
``X-Forwarded-*`` headers, every URL names the app server, over ``http://``.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from django.contrib.auth import get_user_model
from django.core.management.utils import get_random_secret_key
from django.test import override_settings
from django.urls import clear_script_prefix, set_script_prefix

from drf_scim.constants import (
    BULK_REQUEST_SCHEMA,
    GROUP_SCHEMA,
    PATCH_OP_SCHEMA,
    SEARCH_REQUEST_SCHEMA,
    USER_SCHEMA,
)

from .conftest import SCIMClient

PUBLIC = "scim.example.com"
#: Where the proxy sends requests: the app server, as the proxy names it in ``Host``.
UPSTREAM = "127.0.0.1:8000"
PROXY_HEADERS = {
    "HTTP_HOST": UPSTREAM,
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_HOST": PUBLIC,
    "HTTP_X_FORWARDED_FOR": "203.0.113.7",
}
TRUST_PROXY = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "USE_X_FORWARDED_HOST": True,
    "ALLOWED_HOSTS": [PUBLIC],
}


def proxied_client(token, **headers):
    """A client whose every request arrives as a proxy forwards it."""
    client = SCIMClient(**{**PROXY_HEADERS, **headers})
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    return client


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response


def urls_in(value, found=None):
    """Every ``location`` and ``$ref`` in a SCIM document, in order."""
    found = [] if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("location", "$ref") and isinstance(item, str):
                found.append(item)
            else:
                urls_in(item, found)
    elif isinstance(value, list):
        for item in value:
            urls_in(item, found)
    return found


def every_url(client):
    """Each kind of absolute URL drf-scim writes, by where it was found.

    Creates two users and a group holding both, then reads
    them back every way the API returns them: single resources, a ListResponse,
    ``/.search``, ``/Bulk``, ``/ServiceProviderConfig``, ``/ResourceTypes``, ``/Schemas``.
    """
    urls = {}
    boss = ok(client.post("/scim/v2/Users", {"schemas": [USER_SCHEMA], "userName": "boss"}), 201)
    urls["POST /Users Location"] = [boss["Location"]]
    boss = boss.json()
    user = ok(
        client.post("/scim/v2/Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"}), 201
    ).json()
    members = [{"value": boss["id"]}, {"value": user["id"]}]
    group = ok(
        client.post(
            "/scim/v2/Groups",
            {"schemas": [GROUP_SCHEMA], "displayName": "Tour Guides", "members": members},
        ),
        201,
    )
    urls["POST /Groups Location"] = [group["Location"]]
    group = group.json()
    urls["Group meta.location"] = [group["meta"]["location"]]
    urls["members[].$ref"] = [member["$ref"] for member in group["members"]]

    read = ok(client.get(f"/scim/v2/Users/{user['id']}"))
    urls["GET /Users/{id} Location"] = [read["Location"]]
    urls["User meta.location"] = [read.json()["meta"]["location"]]
    urls["groups[].$ref"] = [g["$ref"] for g in read.json()["groups"]]

    patched = ok(
        client.patch(
            f"/scim/v2/Users/{user['id']}",
            {
                "schemas": [PATCH_OP_SCHEMA],
                "Operations": [{"op": "replace", "path": "title", "value": "Guide"}],
            },
        )
    )
    urls["PATCH Location"] = [patched["Location"]]

    listed = ok(client.get("/scim/v2/Users")).json()
    urls["ListResponse Resources"] = urls_in(listed["Resources"])
    searched = ok(
        client.post("/scim/v2/.search", {"schemas": [SEARCH_REQUEST_SCHEMA], "count": 10})
    ).json()
    urls["/.search Resources"] = urls_in(searched["Resources"])

    bulk = ok(
        client.post(
            "/scim/v2/Bulk",
            {
                "schemas": [BULK_REQUEST_SCHEMA],
                "Operations": [
                    {
                        "method": "POST",
                        "path": "/Users",
                        "bulkId": "ann",
                        "data": {"schemas": [USER_SCHEMA], "userName": "ann"},
                    },
                    {
                        "method": "PATCH",
                        "path": f"/Groups/{group['id']}",
                        "data": {
                            "schemas": [PATCH_OP_SCHEMA],
                            "Operations": [
                                {"op": "add", "path": "members", "value": [{"value": "bulkId:ann"}]}
                            ],
                        },
                    },
                ],
            },
        )
    ).json()
    urls["Bulk location"] = [operation["location"] for operation in bulk["Operations"]]

    spc = ok(client.get("/scim/v2/ServiceProviderConfig")).json()
    urls["/ServiceProviderConfig meta.location"] = [spc["meta"]["location"]]
    for endpoint in ("ResourceTypes", "Schemas"):
        listing = ok(client.get(f"/scim/v2/{endpoint}")).json()
        urls[f"/{endpoint} meta.location"] = urls_in(listing["Resources"])
        first = listing["Resources"][0]["id"]
        urls[f"/{endpoint}/{{id}} meta.location"] = [
            ok(client.get(f"/scim/v2/{endpoint}/{first}")).json()["meta"]["location"]
        ]
    return urls


def assert_all_under(urls, root):
    """Every URL of :func:`every_url` starts with ``root``, and none is missing."""
    assert all(urls.values()), {where: found for where, found in urls.items() if not found}
    wrong = {
        where: [url for url in found if not url.startswith(root)] for where, found in urls.items()
    }
    assert not any(wrong.values()), (root, wrong)


@pytest.mark.django_db
def test_behind_a_proxy_untrusted_every_url_names_the_app_server_over_http(token):
    """The warning in docs/deployment.md is true: with Django's defaults, the proxy's
    ``X-Forwarded-Proto``/``X-Forwarded-Host`` are ignored (rightly: any client can send
    them), so ``Location``, ``meta.location`` and ``$ref`` (RFC 7644 §3.1, RFC 7643 §3.1)
    point at the upstream ``http://`` address the identity provider cannot reach."""
    urls = every_url(proxied_client(token))

    assert_all_under(urls, f"http://{UPSTREAM}/scim/v2/")


@pytest.mark.django_db
@override_settings(**TRUST_PROXY)
def test_behind_a_trusted_proxy_every_url_is_the_public_https_one(token):
    """With ``SECURE_PROXY_SSL_HEADER`` and ``USE_X_FORWARDED_HOST``, every absolute URL
    (RFC 7644 §3.1 ``Location``, RFC 7643 §3.1 ``meta.location``, ``$ref``, §3.7.3 Bulk
    ``location``, §4 discovery) is the public ``https://`` one."""
    urls = every_url(proxied_client(token))

    assert_all_under(urls, f"https://{PUBLIC}/scim/v2/")


@pytest.mark.django_db
@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), ALLOWED_HOSTS=[PUBLIC]
)
def test_a_proxy_that_passes_host_on_needs_only_the_scheme_header(token):
    """A proxy that forwards the client's ``Host`` (nginx ``proxy_set_header Host $host``)
    needs only ``SECURE_PROXY_SSL_HEADER`` for RFC 7644 §3.1 ``Location`` to be right."""
    client = proxied_client(token, HTTP_HOST=PUBLIC)
    del client.defaults["HTTP_X_FORWARDED_HOST"]

    assert_all_under(every_url(client), f"https://{PUBLIC}/scim/v2/")


@pytest.mark.django_db
@override_settings(**TRUST_PROXY, FORCE_SCRIPT_NAME="/idp")
def test_a_proxy_that_mounts_the_app_under_a_path_adds_it_to_every_url(token):
    """A proxy that serves the app at ``https://scim.example.com/idp/`` and strips the
    prefix: with ``FORCE_SCRIPT_NAME``, RFC 7644 §3.1 ``Location``, ``meta.location``,
    ``$ref`` and Bulk's ``location`` (§3.7.3) carry the prefix."""
    # Django's WSGI and ASGI handlers set the prefix reverse() uses from FORCE_SCRIPT_NAME
    # on every request; its test client does not, so this test does.
    set_script_prefix("/idp/")
    try:
        urls = every_url(proxied_client(token))
    finally:
        clear_script_prefix()

    assert_all_under(urls, f"https://{PUBLIC}/idp/scim/v2/")


@pytest.mark.django_db
@override_settings(**TRUST_PROXY)
def test_a_trusted_proxy_header_that_does_not_say_https_keeps_http(token):
    """``SECURE_PROXY_SSL_HEADER`` is matched exactly: a proxy reporting plain HTTP gets
    ``http://`` URLs (RFC 7644 §3.1), so a client is never told a scheme it did not use."""
    client = proxied_client(token, HTTP_X_FORWARDED_PROTO="http")

    created = client.post("/scim/v2/Users", {"schemas": [USER_SCHEMA], "userName": "plain"})
    response = ok(created, 201)

    assert response["Location"].startswith(f"http://{PUBLIC}/scim/v2/Users/")
    assert response.json()["meta"]["location"] == response["Location"]


@pytest.mark.django_db
@override_settings(**TRUST_PROXY)
def test_a_forwarded_host_not_in_allowed_hosts_is_refused_not_echoed(token):
    """Trusting ``X-Forwarded-Host`` does not let a client choose the host of the URLs
    we return (RFC 7644 §7: no URL pointing elsewhere): Django answers 400 to a host
    outside ``ALLOWED_HOSTS`` before any SCIM view runs."""
    client = proxied_client(token, HTTP_X_FORWARDED_HOST="evil.example.net")

    response = client.post("/scim/v2/Users", {"schemas": [USER_SCHEMA], "userName": "eve"})

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert not get_user_model().objects.filter(username="eve").exists()


# -- docs/deployment.md's snippets ---------------------------------------------------------

DEPLOYMENT_DOC = Path(__file__).resolve().parent.parent / "docs" / "deployment.md"
EXAMPLE = DEPLOYMENT_DOC.parent.parent / "example"


def python_blocks():
    """The ```python blocks of docs/deployment.md, in order."""
    return re.findall(r"^```python\n(.*?)^```$", DEPLOYMENT_DOC.read_text(), re.M | re.S)


def python_block(first_line):
    """The block of docs/deployment.md that starts with ``first_line``."""
    (block,) = [block for block in python_blocks() if block.startswith(first_line + "\n")]
    return block


def test_every_python_snippet_of_the_deployment_doc_compiles():
    blocks = python_blocks()

    assert len(blocks) >= 5
    for block in blocks:
        compile(block, str(DEPLOYMENT_DOC), "exec")


def test_the_deployment_docs_settings_pass_check_deploy_but_for_two_domain_wide_choices(
    tmp_path,
):
    """The production settings of docs/deployment.md, on top of the example project's:
    ``manage.py check --deploy`` reports only what the page says it does (the HSTS
    choices for the whole domain), and none of drf-scim's own checks."""
    settings_module = tmp_path / "production_settings.py"
    settings_module.write_text(
        "from example_project.settings import *  # noqa: F403\n\n"
        + python_block("# settings.py, production")
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "production_settings",
        "DJANGO_SECRET_KEY": get_random_secret_key(),
    }

    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(EXAMPLE / "manage.py"), "check", "--deploy"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    reported = set(re.findall(r"\((\w+\.[EWCI]\d+)\)", result.stdout + result.stderr))
    assert reported == {"security.W005", "security.W021"}, result.stderr


@pytest.mark.django_db(transaction=True)
@override_settings(ALLOWED_HOSTS=[PUBLIC])
def test_a_wsgi_wrapper_sets_https_for_a_proxy_that_sends_no_header(token):
    """docs/deployment.md's ``wsgi.py``, through Django's real WSGI handler: with
    ``wsgi.url_scheme`` set by its wrapper and the proxy passing ``Host`` on, RFC 7644
    §3.1 ``Location`` and ``meta.location`` are the public ``https://`` URL, with no
    Django proxy setting."""
    body = json.dumps({"schemas": [USER_SCHEMA], "userName": "wrapped"}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/scim/v2/Users",
        "HTTP_HOST": PUBLIC,
        "CONTENT_TYPE": "application/scim+json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Bearer {token.key}",
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    assert environ["wsgi.url_scheme"] == "http"
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    namespace = {}
    exec(python_block("# myproject/wsgi.py"), namespace)  # noqa: S102 - our own docs
    application = namespace["application"]

    content = b"".join(application(environ, start_response))

    assert started["status"].startswith("201"), content
    document = json.loads(content)
    expected = f"https://{PUBLIC}/scim/v2/Users/{document['id']}"
    assert started["headers"]["Location"] == document["meta"]["location"] == expected
