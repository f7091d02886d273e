"""What botocore's loaders parse, parsed once per process, and its client classes made once: speed
patches to botocore.

botocore caches what a `Loader` parses (service models, endpoints, partitions) per loader, and
every session has a loader of its own. An emulated stack makes many: each boto3 session of the
emulator and of the tests, moto's request parser (its own loader, with moto's extras), and moto's
backends at import (`boto3.Session().get_available_regions("ec2")` in class bodies). A prod
preview parsed ec2's 2.5 MB model six times and endpoints.json five times: about a second of CPU.

Loaders of the same class that search the same paths with the same extras return the same data,
so they share one cache here. The key is read at each lookup, not when the loader is made:
boto3 appends its own data path to a session's loader after creating it, and moto's loader adds
moto's extras; loaders that differ so keep apart. botocore itself hands one cached object to
every caller of a loader, so sharing it between identical loaders adds no new aliasing.

botocore also builds a class per client it makes (`ClientCreator._create_client_class`: a method
and a docstring object per operation, EC2's 700 of them), though a client's methods only forward
to its own `_make_api_call`. A test session makes about a thousand clients (each emulator's, each
verify run's, the tests' own): the class of a service is made once, for as long as the handlers
that may change it (`creating-client-class.<service>`) are the same ones. So is each service's
`ServiceModel`, which botocore only reads and caches into (an operation's model, the operation
that discovers endpoints, which a new client otherwise looks for among all of them).

Every client's event emitter also aliases event names (`EventAliaser._alias_event_name`: a loop
over botocore's ~30 aliases, splitting the name for each) into a cache of its own, which starts
empty in every client; with ~20 events per call and a thousand clients that was 3 % of the
suite's CPU. Aliasers with the same aliases share one cache here.

`install()` runs when tools/emulator/core is imported, before anything there imports moto.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore import client, hooks, loaders

_PARSED: dict[tuple, Any] = {}
_LOCK = threading.Lock()


class _SharedCache:
    """A loader's `_cache` (botocore's `instance_cache` reads and writes it) kept in `_PARSED`."""

    def __init__(self, loader: loaders.Loader):
        self._loader = loader

    def _key(self, key: tuple) -> tuple:
        loader = self._loader
        return (type(loader), tuple(loader.search_paths), tuple(loader.extras_types), key)

    def __contains__(self, key: tuple) -> bool:
        return self._key(key) in _PARSED

    def __getitem__(self, key: tuple) -> Any:
        return _PARSED[self._key(key)]

    def __setitem__(self, key: tuple, value: Any) -> None:
        with _LOCK:
            _PARSED.setdefault(self._key(key), value)


def install() -> None:
    """Every botocore loader made from now on shares what identical loaders parsed, and every client
    class is made once (idempotent)."""
    if getattr(loaders.Loader.__init__, "shares_parsed_data", False):
        return
    make = loaders.Loader.__init__

    def sharing_init(self: loaders.Loader, *args: Any, **kwargs: Any) -> None:
        make(self, *args, **kwargs)
        self._cache = _SharedCache(self)

    sharing_init.shares_parsed_data = True  # type: ignore[attr-defined]
    loaders.Loader.__init__ = sharing_init
    _install_client_classes()
    _install_shared_aliases()


_CLASSES: dict[tuple, type] = {}
_MODELS: dict[tuple, Any] = {}
_KEPT: list[Any] = []
"""The service descriptions the keys above name by id, kept alive so that no id is reused."""
_CLASSES_LOCK = threading.Lock()


def _class_key(creator: client.ClientCreator, service_name: str, service_model: Any) -> tuple | None:
    """What a client class follows from: the service's model (shared by the loaders above) and the
    handlers that may add to it; None if botocore's emitter is not as read here."""
    try:
        event = f"creating-client-class.{service_model.service_id.hyphenize()}"
        handlers = tuple(creator._event_emitter._emitter._handlers.prefix_search(event))
    except AttributeError:
        return None
    return (service_name, id(service_model._service_description), handlers)


def _install_client_classes() -> None:
    make = client.ClientCreator._create_client_class
    if getattr(make, "made_once", False):
        return
    load = client.ClientCreator._load_service_model

    def load_service_model(self: client.ClientCreator, service_name: str, api_version: str | None = None) -> Any:
        description = self._loader.load_service_model(service_name, "service-2", api_version=api_version)
        key = (service_name, id(description))
        with _CLASSES_LOCK:
            if key not in _MODELS:
                _MODELS[key] = load(self, service_name, api_version)
                _KEPT.append(description)
            return _MODELS[key]

    def create_client_class(self: client.ClientCreator, service_name: str, service_model: Any) -> type:
        key = _class_key(self, service_name, service_model)
        if key is None:
            return make(self, service_name, service_model)
        with _CLASSES_LOCK:
            if key not in _CLASSES:
                _CLASSES[key] = make(self, service_name, service_model)
                _KEPT.append(service_model._service_description)
            return _CLASSES[key]

    create_client_class.made_once = True  # type: ignore[attr-defined]
    client.ClientCreator._create_client_class = create_client_class
    client.ClientCreator._load_service_model = load_service_model


_ALIASED: dict[tuple, str] = {}
"""(an aliaser's aliases, an event name) -> the aliased name."""


def _install_shared_aliases() -> None:
    alias = hooks.EventAliaser._alias_event_name
    if getattr(alias, "shared", False):
        return

    def alias_event_name(self: hooks.EventAliaser, event_name: str) -> str:
        if event_name in self._alias_name_cache:
            return self._alias_name_cache[event_name]
        aliases = self.__dict__.get("_aliases_key")
        if aliases is None:  # botocore copies the aliases with each client's emitter: known by content
            aliases = self._aliases_key = tuple(self._event_aliases.items())
        key = (aliases, event_name)
        if key not in _ALIASED:
            _ALIASED[key] = alias(self, event_name)
        self._alias_name_cache[event_name] = _ALIASED[key]
        return _ALIASED[key]

    alias_event_name.shared = True  # type: ignore[attr-defined]
    hooks.EventAliaser._alias_event_name = alias_event_name
