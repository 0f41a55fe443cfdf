#!/usr/bin/env python3
"""Writes the fixtures of the resource tests.

The inputs are the examples of the openEO Python client's file formats
(auth-config.json: AuthConfig, openeo/rest/auth/config.py; refresh-tokens.json:
RefreshTokenStore), extended with non-ASCII text, null clients and keys a newer
client might write. The expected outputs (*.tmpl) apply the Python client's own
edit semantics (deep_set of set_basic_auth / set_oidc_client_config /
set_refresh_token, AuthConfig._write adding metadata/general/backends) and its
writer (json.dump(data, indent=2): key order kept, ASCII escapes, no trailing
newline). "{{DATE}}" stands for rfc3339.now_utc() of the write under test.
Two deliberate differences: created_by of a fresh file is the provider's
"terraform-provider-openeo <version>" (the acceptance tests' provider version
is "test") where Python writes "openeo-python-client <version>"; and
set_refresh_token keeps the keys of an existing entry (see below).

Run from this folder: python3 gen_fixtures.py
"""
import copy
import json

DATE = "{{DATE}}"


def normalize_url(url):
    return url.rstrip("/") or "/"


def deep_set(data, *keys, value):
    for k in keys[:-1]:
        data = data.setdefault(k, {})
    data[keys[-1]] = value


def auth_write(data, created_by):
    if "metadata" not in data:
        data["metadata"] = {"type": "AuthConfig", "created": DATE, "created_by": created_by, "version": 1}
    data.setdefault("general", {})
    data.setdefault("backends", {})
    return data


CREATED_BY = "terraform-provider-openeo test"


def set_basic_auth(data, backend, username, password, created_by=CREATED_BY):
    keys = ("backends", normalize_url(backend), "basic")
    deep_set(data, *keys, "date", value=DATE)
    deep_set(data, *keys, "username", value=username)
    if password:
        deep_set(data, *keys, "password", value=password)
    return auth_write(data, created_by)


def set_oidc_client_config(data, backend, provider_id, client_id, client_secret=None, issuer=None,
                           created_by=CREATED_BY, date=DATE):
    keys = ("backends", normalize_url(backend), "oidc", "providers", provider_id)
    deep_set(data, *keys, "date", value=date)
    deep_set(data, *keys, "client_id", value=client_id)
    deep_set(data, *keys, "client_secret", value=client_secret)
    if issuer:
        deep_set(data, *keys, "issuer", value=issuer)
    return auth_write(data, created_by)


def set_refresh_token(data, issuer, client_id, refresh_token):
    # Deliberately not Python's set_refresh_token, which replaces the whole
    # entry ({"date", "refresh_token"}): the provider keeps an existing entry
    # and sets only these two keys, so unknown keys in it survive. A new
    # entry gets the same bytes as Python writes.
    entry = data.setdefault(normalize_url(issuer), {}).setdefault(client_id, {})
    entry["date"] = DATE
    entry["refresh_token"] = refresh_token
    return data


def dump(name, data):
    with open(name, "w", encoding="utf8") as f:
        json.dump(data, f, indent=2)


# §3.4 of the reference, plus a second back-end (non-ASCII, default client,
# provider without issuer).
AUTH_CONFIG = {
    "backends": {
        "https://openeo.example.com": {
            "basic": {"date": "2020-07-24T13:40:50Z", "username": "john", "password": "j0hn123"},
            "oidc": {"providers": {
                "egi": {"date": "2020-06-08T11:18:27Z", "client_id": "client-d7393fba",
                        "client_secret": "$6cr67", "issuer": "https://aai.egi.eu/auth/realms/egi"}}},
        },
        "https://openeo.vito.be": {
            "oidc": {"providers": {
                "terrascope": {"date": "2022-05-11T13:13:20Z", "client_id": None, "client_secret": None,
                               "issuer": "https://sso.terrascope.be/auth/realms/terrascope"},
                "egi": {"date": "2022-05-12T08:00:00Z", "client_id": "vito-client", "client_secret": None}}},
            "basic": {"date": "2023-01-02T03:04:05Z", "username": "J\u00fcrgen", "password": "p\u00e4ss \U0001F600"},
        },
    },
    "metadata": {"type": "AuthConfig", "created": "2020-06-08T11:18:27Z",
                 "created_by": "openeo-python-client 0.51.0", "version": 1},
    "general": {},
}

# §3.5 of the reference, plus a second issuer.
REFRESH_TOKENS = {
    "https://oidc.example.net": {
        "default-client": {"date": "2022-05-11T13:13:20Z", "refresh_token": "eyJhbGciOi..."}},
    "https://sso.terrascope.be/auth/realms/terrascope": {
        "vito-default-client": {"date": "2023-03-04T05:06:07Z", "refresh_token": "r3fr\u00e9sh"}},
}

# Keys a newer client might add, at every level the provider walks through.
UNKNOWN_AUTH_CONFIG = copy.deepcopy(AUTH_CONFIG)
UNKNOWN_AUTH_CONFIG["backends"]["https://openeo.example.com"]["basic"]["mfa"] = {"kind": "totp", "digits": 6}
UNKNOWN_AUTH_CONFIG["backends"]["https://openeo.example.com"]["x-preferred"] = ["oidc", "basic"]
UNKNOWN_AUTH_CONFIG["backends"]["https://openeo.example.com"]["oidc"]["providers"]["egi"]["scopes"] = ["openid", "eduperson_entitlement"]
UNKNOWN_AUTH_CONFIG["backends"]["https://openeo.example.com"]["oidc"]["default_provider"] = "egi"
UNKNOWN_AUTH_CONFIG["metadata"]["schema"] = "https://openeo.org/auth-config/v2"
UNKNOWN_AUTH_CONFIG["general"]["telemetry"] = False
UNKNOWN_AUTH_CONFIG["profiles"] = {"default": {"backend": "https://openeo.example.com", "weight": 1.5}}

UNKNOWN_REFRESH_TOKENS = copy.deepcopy(REFRESH_TOKENS)
UNKNOWN_REFRESH_TOKENS["https://oidc.example.net"]["default-client"]["expires_at"] = "2030-01-01T00:00:00Z"
UNKNOWN_REFRESH_TOKENS["https://oidc.example.net"]["other"] = {"date": "2024-01-01T00:00:00Z", "refresh_token": "o", "id_hint": None}

dump("auth-config.python.json", AUTH_CONFIG)
dump("refresh-tokens.python.json", REFRESH_TOKENS)
dump("auth-config.unknown-keys.json", UNKNOWN_AUTH_CONFIG)
dump("refresh-tokens.unknown-keys.json", UNKNOWN_REFRESH_TOKENS)

# New entries in an existing Python file.
dump("auth-config.python.basic-added.tmpl",
     set_basic_auth(copy.deepcopy(AUTH_CONFIG), "https://new.example.org/", "alice", "p\u00e4ss/w\u00f6rd \"q\" \\"))
dump("auth-config.python.oidc-added.tmpl",
     set_oidc_client_config(copy.deepcopy(AUTH_CONFIG), "https://openeo.example.com", "new-idp", "client-1",
                            "s3cr3t", "https://idp.example.org/realms/x"))
dump("refresh-tokens.python.token-added.tmpl",
     set_refresh_token(copy.deepcopy(REFRESH_TOKENS), "https://oidc.example.net/", "new-client", "rt-\u00e9-1"))

# Fresh files.
dump("auth-config.fresh-basic.tmpl", set_basic_auth({}, "https://openeo.example.com", "john", "j0hn123"))
dump("auth-config.fresh-oidc-default-client.tmpl",
     set_oidc_client_config({}, "https://openeo.example.com", "egi", None, None, "https://aai.egi.eu/auth/realms/egi"))
dump("refresh-tokens.fresh.tmpl", set_refresh_token({}, "https://oidc.example.net", "default-client", "rt-1"))

# Entries that exist and carry unknown keys, rewritten by the provider.
dump("auth-config.unknown-keys.basic-set.tmpl",
     set_basic_auth(copy.deepcopy(UNKNOWN_AUTH_CONFIG), "https://openeo.example.com", "john2", "n3w"))
# ... then the OIDC entry too, one apply later ("{{DATE2}}").
dump("auth-config.unknown-keys.both-set.tmpl",
     set_oidc_client_config(set_basic_auth(copy.deepcopy(UNKNOWN_AUTH_CONFIG), "https://openeo.example.com", "john2", "n3w"),
                            "https://openeo.example.com", "egi", "client-d7393fba", "n3w-s3cret",
                            "https://aai.egi.eu/auth/realms/egi", date="{{DATE2}}"))
# Destroy removes the entry, then the containers it leaves empty (never
# "backends" itself).
def remove(data, *keys):
    parents = [data]
    for k in keys[:-1]:
        parents.append(parents[-1][k])
    del parents[-1][keys[-1]]
    for i in range(len(keys) - 1, 1, -1):
        if parents[i]:
            break
        del parents[i - 1][keys[i - 1]]
    return data


after_delete = copy.deepcopy(UNKNOWN_AUTH_CONFIG)
remove(after_delete, "backends", "https://openeo.example.com", "basic")
remove(after_delete, "backends", "https://openeo.example.com", "oidc", "providers", "egi")
dump("auth-config.unknown-keys.both-removed.json", after_delete)
dump("refresh-tokens.unknown-keys.token-set.tmpl",
     set_refresh_token(copy.deepcopy(UNKNOWN_REFRESH_TOKENS), "https://oidc.example.net", "default-client", "n3w-rt"))
rt_deleted = copy.deepcopy(UNKNOWN_REFRESH_TOKENS)
del rt_deleted["https://oidc.example.net"]["default-client"]  # "other" keeps the issuer object
dump("refresh-tokens.unknown-keys.token-removed.json", rt_deleted)


# What `openeo-auth config-dump` / `token-dump` print (without the header
# line): every client_secret, password or refresh_token value in nested
# dicts (not lists) replaced by "<redacted>".
def redact(data):
    # As openeo-auth config-dump: like the Python CLI's redaction, except
    # that a null secret stays null (there is nothing to hide).
    if isinstance(data, dict):
        return {k: "<redacted>" if k in ("client_secret", "password", "refresh_token") and v is not None
                else redact(v)
                for k, v in data.items()}
    return data


dump("auth-config.python.redacted.json", redact(AUTH_CONFIG))
dump("refresh-tokens.python.redacted.json", redact(REFRESH_TOKENS))
