"""Masking: no number the traffic carried survives in a cassette; fakes keep shape and pairs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pns_mock import spec as spec_module
from pns_mock.mockserver.domain import auth
from pns_mock.mockserver.proxy import (
    CassetteWriter,
    Exchange,
    Masker,
    Watch,
    country_code_length,
    demo_keys,
    read_cassette,
)

from .support import AXB, NONCE

REAL_KEY, REAL_SECRET = "a1d1f50cad21415fbdd13d8f53d36d60", "real-secret-never-sent"
COUNTRY_CODES = ("1", "7", "20", "44", "49", "86", "852", "971")

global_numbers = st.builds(
    lambda cc, rest: f"+{cc}{rest}",
    st.sampled_from(COUNTRY_CODES),
    st.from_regex(r"\A[1-9][0-9]{7,11}\Z"),
)
national_mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
national_landlines = st.from_regex(r"\A0[1-9][0-9]{8,10}\Z")


def _masker(seed: int = 7, **options: object) -> Masker:
    return Masker(spec_module.load(), demo_keys=demo_keys(), seed=seed, **options)  # type: ignore[arg-type]


def _exchange(numbers: list[str], mobile: str, landline: str) -> Exchange:
    first, second, third, fourth = numbers
    headers = auth.sign("AKSK", REAL_KEY, REAL_SECRET, NONCE, "2026-11-24T10:00:00Z")
    body = {"relationNum": first, "callerNum": second, "calleeNum": mobile, "userData": f"for {third}"}
    reply = {"resultcode": "0", "relationNum": first, "note": f"{third} / 86{mobile} / {landline}"}
    return Exchange(
        method="POST",
        path=AXB,
        query=f"relationNum=%2B{fourth[1:]}&raw={third}&app_key={REAL_KEY}&area={landline}",
        headers=[("Content-Type", "application/json"), *headers.items(), ("X-Forwarded-For-Number", fourth)],
        body=json.dumps(body).encode(),
        status=200,
        reply_headers=[("Content-Type", "application/json;charset=UTF-8"), ("X-Echo", second)],
        reply_body=json.dumps(reply).encode(),
        uri=f"https://upstream.example{AXB}?relationNum=%2B{fourth[1:]}",
    )


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    numbers=st.lists(global_numbers, min_size=4, max_size=4, unique=True),
    mobile=national_mobiles,
    landline=national_landlines,
)
def test_no_input_number_survives_anywhere_in_a_cassette(
    tmp_path: Path, numbers: list[str], mobile: str, landline: str
) -> None:
    folder = tmp_path / f"c{abs(hash((tuple(numbers), mobile, landline)))}"
    folder.mkdir()
    watch = Watch(spec_module.load(), _masker(), CassetteWriter(folder))
    watch.observe(_exchange(numbers, mobile, landline))
    (cassette,) = folder.iterdir()
    text = cassette.read_text()
    for number in (*numbers, mobile, landline):
        assert number.removeprefix("+") not in text, number
    for secret in (REAL_KEY, NONCE, "PasswordDigest", "userData"):
        assert secret not in text
    assert read_cassette(cassette)  # still a cassette


def test_a_fake_keeps_the_country_code_and_length_and_is_the_same_for_the_same_number() -> None:
    masker = _masker()
    for real in ("+8613800000001", "+14155550100", "+447700900123", "+97150123456", "+8675528000001"):
        fake = masker.number(real)
        cc = country_code_length(real[1:])
        assert fake != real and len(fake) == len(real) and fake[: cc + 1] == real[: cc + 1]
        assert masker.number(real) == fake
    assert len(set(masker.fakes.values())) == len(masker.fakes)


def test_the_national_forms_of_a_number_share_its_fake_so_pairs_stay_pairs() -> None:
    masker = _masker()
    fake = masker.number("+8613800000001")
    text = masker.text('{"a":"+8613800000001","b":"13800000001","c":"8613800000001","q":"%2B8613800000001"}')
    assert json.loads(text) == {"a": fake, "b": fake[3:], "c": fake[1:], "q": "%2B" + fake[1:]}
    landline = masker.text("075528000001")
    assert landline == "0" + masker.number("+8675528000001")[3:]


def test_fakes_differ_between_recordings_unless_seeded_alike() -> None:
    assert _masker(1).number("+8613800000001") == _masker(1).number("+8613800000001")
    assert _masker(1).number("+8613800000001") != _masker(2).number("+8613800000001")


def test_auth_headers_keep_their_scheme_and_lose_digest_and_nonce_and_the_app_key_becomes_the_demo_key() -> (
    None
):
    masker = _masker()
    headers = auth.sign("AKSK", REAL_KEY, REAL_SECRET, NONCE, "2026-11-24T10:00:00Z")
    masker.learn_from_headers({k.lower(): v for k, v in headers.items()}, "AXB")
    masked = dict(masker.headers(headers.items()))
    assert masked["X-AKSK"] == 'UsernameToken Username="demo-axb", Created="2026-11-24T10:00:00Z"'
    assert masked["Authorization"].startswith("AKSK realm=")
    assert masker.query(f"app_key={REAL_KEY}") == "app_key=demo-axb"
    assert dict(masker.headers([("Cookie", "session=1"), ("X-PNS-Admin-Token", "t")])) == {}


def test_user_data_is_dropped_unless_kept() -> None:
    body = json.dumps({"callerNum": "+8613800000001", "userData": "order 42"}).encode()
    assert "userData" not in json.loads(_masker().body(body))
    assert json.loads(_masker(keep_user_data=True).body(body))["userData"] == "order 42"
    assert "userData" not in _masker().query("userData=x&relationNum=%2B8613800000001")


def test_a_recording_is_a_vcr_cassette_whose_reply_length_matches_its_masked_body(tmp_path: Path) -> None:
    watch = Watch(spec_module.load(), _masker(), CassetteWriter(tmp_path))
    watch.observe(_exchange(["+8613800000001", "+8613900000002", "+8613700000003", "+8613600000004"],
                            "13500000005", "075528000001"))  # fmt: skip
    (cassette,) = tmp_path.iterdir()
    document = yaml.safe_load(cassette.read_text())
    assert document["version"] == 1
    response = document["interactions"][0]["response"]
    assert response["headers"]["Content-Length"] == [str(len(response["body"]["string"].encode()))]
    assert re.fullmatch(r"pns-\d{8}T\d{6}Z-001\.yaml", cassette.name)
