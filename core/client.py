"""The client's address, as every limit counts it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def trusted_proxies() -> int:
    """How many reverse proxies in front of the site append to X-Forwarded-For
    (0: use REMOTE_ADDR as it is). Read when used, so tests can override it."""
    return int(getattr(settings, "TRUSTED_PROXIES", 0))


def client_address(request: HttpRequest) -> str | None:
    """The client's own address (through TRUSTED_PROXIES), as an IP address
    string, or None; what a provider's fraud checks want (Twilio's DeviceIp)."""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = trusted_proxies()
    if proxies:
        forwarded = [
            hop.strip()
            for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(parsed)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the rate limits count it.

    Behind TRUSTED_PROXIES reverse proxies, the address that the outermost
    trusted proxy saw (from X-Forwarded-For, counted from the right, so a
    client can't forge it). IPv6 addresses count by their /64, which one
    subscriber usually holds whole.
    """
    address = client_address(request)
    if address is None:
        return None
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address
