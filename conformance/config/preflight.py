"""Before any scenario: can the live target be reached at all? One connection, no request.

A target that cannot be reached (DNS, refused, no answer, TLS) gets one clear message and
exit code 2 instead of every scenario failing the same way.
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

from conformance.errors import TargetUnreachable

__all__ = ["check_reachable"]


def check_reachable(url: str, timeout: float) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            if parts.scheme == "https":
                # Same verification as the client: a certificate problem is found here, once.
                with ssl.create_default_context().wrap_socket(sock, server_hostname=host):
                    pass
    except socket.gaierror as exc:
        raise TargetUnreachable(
            f"cannot reach {url}: host name {host!r} does not resolve ({exc.strerror})"
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise TargetUnreachable(
            f"cannot reach {url}: the TLS certificate does not verify ({exc.verify_message})"
        ) from None
    except ssl.SSLError as exc:
        raise TargetUnreachable(f"cannot reach {url}: TLS handshake failed ({exc.reason or exc})") from None
    except TimeoutError:
        raise TargetUnreachable(
            f"cannot reach {url}: no answer from {host}:{port} within {timeout:g} s"
        ) from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise TargetUnreachable(f"cannot reach {url}: {reason.lower()}") from None
