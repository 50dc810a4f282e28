"""The two authentication schemes, AKSK and WSSE: their token headers and the code of each defect.

The result codes are the vendor's (1023xxx: a header or an attribute is missing); the other
spellings of an `Authorization` attribute the platform accepts come from the spec.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from pns_mock.spec import load as load_spec

_ALIASES_KEY = "x-pns-attribute-aliases"


@functools.cache
def _aliases(security_scheme: str) -> Mapping[str, str]:
    """Other spellings of `Authorization` attributes the spec accepts (`x-pns-attribute-aliases`)."""
    schemes = load_spec().document["components"]["securitySchemes"]
    return {str(k).lower(): str(v).lower() for k, v in schemes[security_scheme].get(_ALIASES_KEY, {}).items()}


@dataclass(frozen=True)
class Scheme:
    name: str  # "AKSK" or "WSSE"
    token_header: str
    missing_scheme: str
    missing_token_header: str
    missing_attr: Mapping[str, str]
    security_scheme: str  # its entry in the spec's securitySchemes

    @property
    def aliases(self) -> Mapping[str, str]:
        """alias -> attribute of `Authorization` (the vendor's Java sample says `dsl` for `type`),
        read from the spec on first use."""
        return _aliases(self.security_scheme)


AKSK = Scheme(
    "AKSK",
    "X-AKSK",
    missing_scheme="1023013",
    missing_token_header="1023033",
    missing_attr={
        "username": "1023034",
        "nonce": "1023035",
        "created": "1023036",
        "passworddigest": "1023037",
    },
    security_scheme="AkskAuthorization",
)
WSSE = Scheme(
    "WSSE",
    "X-WSSE",
    missing_scheme="1023013",
    missing_token_header="1023026",
    missing_attr={
        "username": "1023027",
        "nonce": "1023028",
        "created": "1023029",
        "passworddigest": "1023030",
    },
    security_scheme="WsseAuthorization",
)
SCHEMES = {"AKSK": AKSK, "WSSE": WSSE}
