"""The in-process PNS platform without pytest: a context manager, a decorator, a unittest mixin.

    with pns_mock() as pns:              # a context manager
        ...
    @pns_mock(strict_fields=False)       # a decorator (sync or async): the PnsMock comes last,
    def check(pns): ...                  # as with unittest.mock.patch
    class BindingTests(PnsMockMixin, unittest.TestCase):   # self.pns in every test
        ...

Each use gets a fresh `PnsMock`, the object the pytest fixture `pns` gives. When the block or
the function ends, the contract violations it caused are raised as one `ContractViolation` (all
of them listed), unless `fail_on_violations=False`; an exception of the block is their cause.
`MockSession` is the one implementation; the pytest fixture uses it as well.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from .options import PnsOptions
from .violations import PnsToolkitError

if TYPE_CHECKING:
    from pns_mock.mockserver.config import Config

    from .intercept import Interceptor
    from .mock import PnsMock

R = TypeVar("R")


class MockSession:
    """One in-process platform, answering the intercepted calls between `start()` and `stop()`."""

    def __init__(self, options: PnsOptions, config: Config | None = None) -> None:
        from .intercept import Interceptor
        from .mock import PnsMock

        self.mock = PnsMock(options, config)
        self._interceptor: Interceptor = Interceptor(
            self.mock.handle, options.base_urls, options.allow_hosts, self.mock.record_unexpected
        )

    def start(self) -> PnsMock:
        self._interceptor.start()
        return self.mock

    def stop(self) -> None:
        self._interceptor.stop()

    def finish(self, error: BaseException | None = None) -> None:
        """Stop intercepting, then raise the violations found as one `ContractViolation`.

        A violation is most often why the code under test failed (the platform refused the
        request), so it is raised also when the code raised `error`, which it names as its cause.
        """
        self.stop()
        if not self.mock.options.fail_on_violations:
            return
        if error is not None and not isinstance(error, Exception):
            return  # KeyboardInterrupt and the like go on as they are
        try:
            self.mock.assert_no_violations()
        except AssertionError as violation:
            if error is None:
                raise
            raise violation from error


def make_options(given: dict[str, Any]) -> PnsOptions:
    """`PnsOptions` from keyword arguments, with lists taken as tuples; unknown names are refused."""
    known = {f.name: f for f in dataclasses.fields(PnsOptions)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise PnsToolkitError(f"pns_mock got unknown option(s) {unknown}; known: {sorted(known)}")
    values: dict[str, Any] = {
        name: tuple(value) if isinstance(getattr(PnsOptions, name), tuple) else value
        for name, value in given.items()
    }
    return PnsOptions(**values)


# lower case: it reads like a function where it is used, as moto's mock_aws and responses.activate do
class pns_mock:
    """The PNS platform in-process for `requests` and `httpx`: a context manager or a decorator.

    Keyword arguments are the options of `PnsOptions` (those of `@pytest.mark.pns`); `config`
    replaces the demo applications (a `mockserver.config.Config`).
    """

    def __init__(self, config: Config | None = None, **options: Any) -> None:
        self.options = make_options(options)
        self._config = config
        self._sessions: list[MockSession] = []

    def __enter__(self) -> PnsMock:
        session = MockSession(self.options, self._config)
        self._sessions.append(session)
        return session.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._sessions.pop().finish(error)

    async def __aenter__(self) -> PnsMock:
        return self.__enter__()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.__exit__(kind, error, trace)

    def __call__(self, function: Callable[..., R]) -> Callable[..., R]:
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                async with self as pns:
                    return await function(*args, pns, **kwargs)

            return cast("Callable[..., R]", run_async)  # a coroutine function: R is its coroutine

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self as pns:
                return function(*args, pns, **kwargs)

        return run


class PnsMockMixin:
    """A `unittest.TestCase` mixin: `self.pns` is a fresh platform in every test.

    Options go in the class attribute `pns_options`. The violations of a test fail it after its
    `tearDown` (a subclass's own `setUp` must call `super().setUp()`).
    """

    pns_options: ClassVar[dict[str, Any]] = {}
    pns: PnsMock

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]  # the TestCase this is mixed into
        self.pns = self.enterContext(pns_mock(**self.pns_options))  # type: ignore[attr-defined]


__all__ = ["MockSession", "PnsMockMixin", "make_options", "pns_mock"]
