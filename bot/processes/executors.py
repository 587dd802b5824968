"""An executor that runs work at once, in the caller's thread.

`joinedup sweep` and the demo use it so that everything is finished before they report; tests use it
so that a request returns only after all of its work is done, with no waiting or polling.
"""
from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Any, Callable


class InlineExecutor(Executor):
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed back through the future, as any executor does
            future.set_exception(error)
        return future
