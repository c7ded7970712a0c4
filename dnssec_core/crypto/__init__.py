"""Signature verification backends behind one interface (our "hazmat" layer).

Only :mod:`dnssec_core.dnssec` calls into this package.  Backends are chosen by name with
:func:`get_backend`; the ``fast`` backend imports cryptography/pynacl lazily so that the
``pure`` backend works where those cannot be imported.
"""

from __future__ import annotations

from dnssec_core.crypto.base import (
    Backend,
    BackendDisagreement,
    ECPublicKey,
    EdPublicKey,
    PublicKey,
    RSAPublicKey,
    SignatureScheme,
)

BACKEND_NAMES = ("fast", "pure", "cross")

_instances: dict[str, Backend] = {}


def get_backend(name: str = "fast") -> Backend:
    """The shared backend instance called ``name`` (one of :data:`BACKEND_NAMES`).

    Instances are shared so that their parsed-key caches are too.  Raises :class:`ValueError`
    for an unknown name and :class:`ImportError` when the backend's libraries are missing.
    """
    if name not in BACKEND_NAMES:
        raise ValueError(
            f"unknown crypto backend {name!r} (choose from {', '.join(BACKEND_NAMES)})"
        )
    backend = _instances.get(name)
    if backend is None:
        backend = _instances[name] = _create(name)
    return backend


def _create(name: str) -> Backend:
    if name == "fast":
        from dnssec_core.crypto.fast import FastBackend

        return FastBackend()
    if name == "pure":
        from dnssec_core.crypto.pure import PureBackend

        return PureBackend()
    from dnssec_core.crypto.cross import CrossBackend

    return CrossBackend(get_backend("fast"), get_backend("pure"))


__all__ = [
    "BACKEND_NAMES",
    "Backend",
    "BackendDisagreement",
    "ECPublicKey",
    "EdPublicKey",
    "PublicKey",
    "RSAPublicKey",
    "SignatureScheme",
    "get_backend",
]
