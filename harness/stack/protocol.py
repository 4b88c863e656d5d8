"""What every stack offers the layers above it (faults, observers, the runner, the
commands), whether the harness started it (Stack) or attached to it (ComposeStack):
the parts it may lack (`lb`, `prometheus`, `alertmanager`, `pager`) are None then,
never missing attributes."""

from __future__ import annotations

from typing import Any, Protocol


class StackLike(Protocol):
    replicas: list
    lb: Any
    prometheus: Any
    alertmanager: Any
    pager: Any
    removed_logs: dict[str, str]
    user_ids: list[str]  # the seeded users, as the API answered them

    def url(self, replica: int = 0) -> str: ...

    def lb_url(self) -> str: ...

    def auth_url(self) -> str: ...

    def prometheus_url(self) -> str: ...

    def alertmanager_url(self) -> str: ...

    def pager_url(self) -> str: ...

    def token(self, sub: str = "drill-user", ttl_seconds: int | None = None) -> str: ...

    def reset(self) -> None: ...

    def wait_alerts_quiet(self, timeout: float = 30.0) -> list[str]: ...
