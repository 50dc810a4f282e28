"""A Faker provider for PNS values: numbers, area codes, ids and timestamps shaped like the platform's.

Faker has no plugin registry, so register it yourself (Faker is a dependency of pns-mock, nothing
extra to install):

    from faker import Faker
    from pns_mock.contract_tests.providers import PnsProvider

    fake = Faker()
    fake.add_provider(PnsProvider)
    fake.seed_instance(1234)          # reproducible values
    fake.pns_mobile()                 # '+8613912345678'
    fake.pns_x_number(area_code="0755")

With Faker's own pytest plugin, add it to the `faker` fixture in a `conftest.py`:

    @pytest.fixture(autouse=True)
    def _pns_faker(faker):
        faker.add_provider(PnsProvider)

Every value matches the spec's pattern for its field (the test suite checks it). All randomness
comes from the generator's `random.Random`, so a seed gives the same values on every Faker version.
"""

from __future__ import annotations

import functools
import random
import re
import string
import uuid
from datetime import UTC, datetime, timedelta

from faker.providers import BaseProvider

from pns_mock import spec
from pns_mock.spec.schemas import TIME_FORMATS

__all__ = ["CITY_AREA_CODES", "MOBILE_PREFIXES", "X_PREFIXES", "PnsProvider"]

# Real CN mobile network prefixes (users' own numbers; the virtual-operator ranges are left to X).
MOBILE_PREFIXES = (
    *(f"13{d}" for d in range(10)),
    "145", "147", "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "172", "173", "175", "176", "177", "178",
    *(f"18{d}" for d in range(10)),
    "191", "193", "195", "196", "197", "198", "199",
)  # fmt: skip

# Virtual-operator ranges the vendor allocates private numbers from.
X_PREFIXES = ("170", "171", "167", "165")

# Real city codes with their leading 0: Beijing, Tianjin and the 02x cities have two digits after
# the 0 and 8-digit local numbers; other cities have three and 7- or 8-digit local numbers.
CITY_AREA_CODES = (
    "010", "020", "021", "022", "023", "024", "025", "027", "028", "029",
    "0311", "0351", "0371", "0431", "0451", "0512", "0531", "0532", "0551", "0571",
    "0574", "0591", "0592", "0731", "0755", "0756", "0757", "0760", "0769", "0771",
    "0791", "0851", "0871", "0898", "0931", "0991",
)  # fmt: skip

_EPOCH = datetime(2019, 1, 1, tzinfo=UTC)
_SPAN_SECONDS = 7 * 365 * 24 * 3600
_ALNUM = tuple(string.ascii_letters + string.digits)


@functools.cache
def _area_code_pattern() -> re.Pattern[str]:
    return re.compile(spec.load().document["components"]["schemas"]["AreaCode"]["pattern"])


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already, as every PNS time is."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _check_area_code(area_code: str) -> str:
    if not _area_code_pattern().match(area_code):
        raise ValueError(
            f"area code {area_code!r} is not a PNS area code: write the city code with its leading 0, "
            "e.g. '0755' or '010'"
        )
    return area_code


class PnsProvider(BaseProvider):
    """Values for PNS requests and pushes; every method's name starts with `pns_`."""

    @property
    def _random(self) -> random.Random:
        rng: random.Random = self.generator.random
        return rng

    def _digits(self, count: int) -> str:
        return "".join(str(self._random.randrange(10)) for _ in range(count))

    def _hex(self, length: int) -> str:
        return f"{self._random.getrandbits(length * 4):0{length}x}"

    def _choice(self, options: tuple[str, ...]) -> str:
        return options[self._random.randrange(len(options))]

    # Numbers

    def pns_mobile(self) -> str:
        """A CN mobile number in global format, `+86` and 11 digits."""
        return f"+86{self._choice(MOBILE_PREFIXES)}{self._digits(8)}"

    def pns_area_code(self) -> str:
        """A real city code with its leading 0, e.g. `0755`."""
        return self._choice(CITY_AREA_CODES)

    def pns_landline(self, area_code: str | None = None) -> str:
        """A CN landline in global format: `+86`, the area code without its 0, the local number."""
        code = self.pns_area_code() if area_code is None else _check_area_code(area_code)
        local_length = 8 if len(code) == 3 else 7 + self._random.randrange(2)
        first = str(2 + self._random.randrange(7))
        return f"+86{code[1:]}{first}{self._digits(local_length - 1)}"

    def pns_number(self) -> str:
        """A real user number: a mobile three times out of four, else a landline."""
        return self.pns_mobile() if self._random.randrange(4) else self.pns_landline()

    def pns_x_number(self, area_code: str | None = None) -> str:
        """A private number X from the virtual-operator ranges (170, 171, 167, 165).

        `area_code` names the city the number is for; X numbers do not show their city, so it is
        only checked.
        """
        if area_code is not None:
            _check_area_code(area_code)
        return f"+86{self._choice(X_PREFIXES)}{self._digits(8)}"

    def pns_extension(self, length: int = 4) -> str:
        """An AXE extension E of `length` digits (1 to 4, as set on the application)."""
        if not 1 <= length <= 4:
            raise ValueError(f"an extension has 1 to 4 digits, not {length}")
        return self._digits(length)

    # Ids

    def pns_app_key(self) -> str:
        return self._hex(32)

    def pns_sp_id(self) -> str:
        """The customer's cloud account name as CDRs carry it (`spId`)."""
        return f"pns{self._hex(6)}"

    def pns_subscription_id(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def pns_session_id(self, at: datetime | None = None) -> str:
        """A call id, e.g. `1200_1029_4294967295_20190123091514@callenabler246.huaweicaas.com`.

        `at` is when the call came in (UTC); the id carries it to the second.
        """
        moment = _utc(at) if at else self.pns_moment()
        node = 1000 + self._random.randrange(9000)
        host = 100 + self._random.randrange(900)
        return f"1200_{node}_4294967295_{moment:%Y%m%d%H%M%S}@callenabler{host}.huaweicaas.com"

    def pns_icid(self) -> str:
        """A CDR id, e.g. `ba171f34e6953fcd751edc77127748f4.3757223714.337238282.9`."""
        return f"{self._hex(32)}.{self._digits(10)}.{self._digits(9)}.{self._digits(1)}"

    def pns_sms_identifier(self) -> str:
        return self._hex(32)

    def pns_nonce(self, length: int = 32) -> str:
        """An `X-AKSK` nonce: letters and digits."""
        return "".join(self._choice(_ALNUM) for _ in range(length))

    def pns_user_data(self, at: datetime | None = None) -> str:
        """Customer data as the examples write it, e.g. `order-20190123-0001`."""
        return f"order-{_utc(at) if at else self.pns_moment():%Y%m%d}-{self._digits(4)}"

    def pns_record_object_name(self, at: datetime | None = None) -> str:
        """A recording file name as CDRs give it, e.g. `19012309153712050118304.wav`."""
        return f"{_utc(at) if at else self.pns_moment():%y%m%d%H%M%S}{self._digits(11)}.wav"

    # Times

    def pns_moment(self) -> datetime:
        """A UTC instant, to the second, in the years 2019 to 2025."""
        return _EPOCH + timedelta(seconds=self._random.randrange(_SPAN_SECONDS))

    def pns_timestamp(self, fmt: str = "pns-datetime", moment: datetime | None = None) -> str:
        """`moment` (or a random instant) written in one of the spec's formats (`pns-*`)."""
        if fmt not in TIME_FORMATS:
            raise ValueError(f"unknown PNS time format {fmt!r}; use one of {sorted(TIME_FORMATS)}")
        when = _utc(moment) if moment else self.pns_moment()
        if moment is None and "%f" in TIME_FORMATS[fmt]:
            when += timedelta(milliseconds=self._random.randrange(1000))
        # The spec's fractions are milliseconds; strftime's %f gives microseconds.
        pattern = TIME_FORMATS[fmt].replace("%f", f"{when.microsecond // 1000:03d}")
        return when.strftime(pattern)

    def pns_created(self) -> str:
        """An `X-AKSK` `Created` value (UTC, no fraction)."""
        return self.pns_timestamp("pns-created")
