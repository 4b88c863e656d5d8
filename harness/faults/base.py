"""The one interface every fault kind implements, and the registry of kinds by name."""

from __future__ import annotations

from typing import Any, ClassVar

from runbook_drill.harness.errors import ConfigError, HarnessError
from runbook_drill.harness.stack.proxies import ProxyError


class FaultNotApplied(HarnessError):
    """inject() could not verify its effect: a harness error, never a verdict."""


class Fault:
    """A fault kind. Subclasses set `kind`, `params` (name -> default) and implement
    `_apply`, `_verify` and `heal`; `inject` = apply, then verify. A fault whose
    injection needs a release of its own first (replicas with a small pool) also
    overrides `prepare`: the runner calls it before the steady state, so the steady
    state is judged on the system the fault then perturbs and the fault windows hold
    the fault alone, not the redeployment's own transient."""

    kind: ClassVar[str] = ""
    params: ClassVar[dict[str, Any]] = {}
    # What the fault does to which container or proxy, and who feels it: templates of
    # its values, for a plan that is read before anything is touched.
    touches: ClassVar[str] = ""
    radius: ClassVar[str] = ""
    prepares: ClassVar[bool] = False  # True: `prepare` does something (the runner journals it)

    def __init__(self, **params: Any) -> None:
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise ConfigError(f"fault {self.kind}: unknown parameter {unknown[0]!r}; "
                              f"known: {', '.join(self.params) or 'none'}")
        self.values = {**self.params, **params}
        self.evidence: dict[str, Any] = {}

    def inject(self, stack) -> dict[str, Any]:
        """Applies the fault and returns the evidence that it took effect.

        Raises FaultNotApplied when the effect cannot be read back.
        """
        self._apply(stack)
        self.evidence = self._verify(stack) or {}
        return self.evidence

    def prepare(self, stack) -> dict[str, Any] | None:
        """Sets up what the injection needs in place beforehand and returns what it did
        (None: nothing to prepare). inject() stays complete without it: a fault not
        prepared prepares itself as part of its injection."""
        return None

    def _apply(self, stack) -> None:
        raise NotImplementedError

    def _verify(self, stack) -> dict[str, Any]:
        raise NotImplementedError

    def heal(self, stack) -> None:
        """Undoes the fault; safe to call any number of times, applied or not."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": self.values}

    def blast(self) -> dict[str, str]:
        """Returns what the fault touches and its blast radius, its values filled in."""
        return {"touches": self.touches.format(**self.values), "radius": self.radius.format(**self.values)}


REGISTRY: dict[str, type[Fault]] = {}


def register(cls: type[Fault]) -> type[Fault]:
    """Registers a fault kind by its `kind` (a class decorator); returns the class.
    Raises ConfigError for a kind with no name, or one another class already has."""
    if not cls.kind:
        raise ConfigError(f"fault class {cls.__qualname__} has no `kind`")
    known = REGISTRY.get(cls.kind)
    if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
        raise ConfigError(f"fault kind {cls.kind!r} is already registered ({known.__module__}.{known.__qualname__})")
    REGISTRY[cls.kind] = cls
    return cls


def make(kind: str, **params: Any) -> Fault:
    """Returns a fault of `kind`; raises ConfigError naming the known kinds."""
    if kind not in REGISTRY:
        raise ConfigError(f"unknown fault kind {kind!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[kind](**params)


# Helpers for the faults that act through the fault proxy --------------------------

DEPENDENCIES = ("postgres", "redis", "auth")


def check_dependency(fault: Fault) -> str:
    dependency = fault.values["dependency"]
    if dependency not in DEPENDENCIES:
        raise ConfigError(f"fault {fault.kind}: dependency must be one of {', '.join(DEPENDENCIES)}, "
                          f"got {dependency!r}")
    return dependency


def proxy_state(stack, dependency: str) -> dict:
    """Returns the fault proxy's answer for the dependency's proxy (enabled, toxics...);
    raises FaultNotApplied when the fault proxy cannot say."""
    try:
        return stack.fault_proxy().proxy(dependency).state
    except ProxyError as exc:
        raise FaultNotApplied(f"fault proxy for {dependency}: {exc}") from None


def add_toxic(stack, dependency: str, toxic: dict) -> None:
    try:
        stack.fault_proxy().handle(dependency).add_toxic(**toxic)
    except ProxyError as exc:
        raise FaultNotApplied(f"toxic {toxic.get('name')} on {dependency}: {exc}") from None


def remove_toxic(stack, dependency: str, name: str) -> None:
    """Removes the toxic when it is there; raises HarnessError when the proxy cannot."""
    try:
        stack.fault_proxy().handle(dependency).destroy_toxic(name)
    except ProxyError as exc:
        raise HarnessError(f"could not remove toxic {name} from {dependency}: {exc}") from None


def verify_toxic(stack, dependency: str, name: str) -> dict:
    toxics = {t["name"]: t for t in proxy_state(stack, dependency)["toxics"]}
    if name not in toxics:
        raise FaultNotApplied(f"toxic {name} is not on the {dependency} proxy after being added")
    return {"proxy": dependency, "toxic": toxics[name]}


class ToxicFault(Fault):
    """A fault that is one toxic on one dependency's proxy."""

    toxic_type: ClassVar[str] = ""

    def _toxic(self) -> dict:
        raise NotImplementedError

    def _name(self) -> str:
        return f"drill_{self.kind}"

    def _apply(self, stack) -> None:
        """Adds the toxic, replacing one of the same name: applied again with a new
        magnitude (a calibration's step), the proxy holds the new one only."""
        dependency = check_dependency(self)
        remove_toxic(stack, dependency, self._name())
        add_toxic(stack, dependency, {"name": self._name(), "type": self.toxic_type, **self._toxic()})

    def _verify(self, stack) -> dict:
        return verify_toxic(stack, self.values["dependency"], self._name())

    def heal(self, stack) -> None:
        remove_toxic(stack, self.values["dependency"], self._name())
