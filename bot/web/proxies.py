"""The client's address behind a reverse proxy: `X-Forwarded-For` and
`X-Forwarded-Proto`, believed only from the proxies the deployment names
(`server.trusted_proxies`: addresses or networks).

Behind nginx every connection comes from nginx: without this, the console's
sign-in throttle would count every moderator's failures together, and cookies
would not know the page came over HTTPS. A header from anyone else is ignored,
so a client cannot choose its own address by writing the header itself. Of the
addresses the header lists, the client is the last one that is not a trusted
proxy (each proxy appends the address it got the request from).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from aiohttp.typedefs import Middleware

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def networks(values: Sequence[str]) -> tuple[Network, ...]:
    """The trusted proxies as networks; ValueError naming a value that is not an
    address or a network."""
    found = []
    for value in values:
        try:
            found.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"{value!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return tuple(found)


def forwarded_for(trusted: Sequence[Network]) -> Middleware:
    """A middleware giving handlers the client's address and scheme."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not _within(request.remote, trusted):
            return await handler(request)
        client = client_address(request.headers.getall("X-Forwarded-For", []), trusted)
        scheme = request.headers.get("X-Forwarded-Proto", "").strip().lower()
        if scheme not in ("http", "https"):
            scheme = request.scheme
        if client is None:
            return await handler(request.clone(scheme=scheme))
        return await handler(request.clone(remote=client, scheme=scheme))

    return middleware


def client_address(headers: Sequence[str], trusted: Sequence[Network]) -> str | None:
    """The client in X-Forwarded-For headers written by trusted proxies; None
    when they name none that can be read."""
    hops = [hop.strip() for header in headers for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return None  # garbled: believe nothing of it
        if not any(address in network for network in trusted):
            return str(address)
    return str(_address(hops[0])) if hops else None


def _within(remote: str | None, trusted: Sequence[Network]) -> bool:
    address = _address(remote) if remote else None
    return address is not None and any(address in network for network in trusted)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None
