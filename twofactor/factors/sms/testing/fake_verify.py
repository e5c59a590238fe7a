"""A stateful stand-in for Twilio Verify v2, for tests and for trying the site by hand.

Prism (from Twilio's OpenAPI file) checks request shapes but is stateless: it
always approves. This fake keeps verifications and follows Twilio's documented
rules, so the real `twilio` package meets wrong codes, expiry and limits:

    POST /v2/Services/{ServiceSid}/Verifications          To, Channel (sms|call)
    POST /v2/Services/{ServiceSid}/VerificationCheck      To or VerificationSid, Code
    POST /v2/Services/{ServiceSid}/Verifications/{Sid}    Status=canceled|approved
                                                          ({Sid}: the SID, or the To number)
    GET  /v2/Services/{ServiceSid}
    GET  /v2/Services/{ServiceSid}/RateLimits             (and POST: UniqueName, Description)
    GET  /v2/Services/{ServiceSid}/RateLimits/{Sid}/Buckets  (and POST: Max, Interval)
    GET  /v2/Attempts/Summary    VerifyServiceSid, DateCreatedAfter, DateCreatedBefore,
                                 Country, DestinationPrefix, Channel

A verification lives 10 minutes; starting again re-sends the same code; a 6th
send is 60203 (429); a 6th check is 60202 (429); after approval, cancel or
expiry it is gone (20404, 404); a To that isn't E.164 is 60200 (400). Errors
use Twilio's JSON shape {code, message, more_info, status}. Each send is an
attempt; an approved verification converts its attempts (the Attempts Summary).
A second Rate Limit with the same UniqueName is 60217 (409), as on Twilio.

Test controls (form-encoded POSTs unless noted), see `FakeVerifyControl`:

    GET  /_fake/messages[?to=]            every code sent (?to=: to that number only):
                                          [{to, channel, code, sid, sent_at}]
    POST /_fake/block      To, Code       answer starts to To with 60410 or 60605 (403)
    POST /_fake/landline   To             answer SMS starts to To with 60205 (400)
    POST /_fake/advance    Seconds        move the fake's clock forward
    POST /_fake/service    code_length=, do_not_share_warning_enabled=true|false, ...
                                          the service's settings (GET /v2/Services/{Sid})
    GET  /_fake/rate_limits               [{sid, unique_name, description, buckets: [{max,
                                          interval}]}] of every service
    POST /_fake/fault      Mode[, Seconds, Status, Code, Times, Every]
         Mode=latency (answer after Seconds), hang (answer after Seconds, default 30,
         or at reset), error (HTTP Status with error Code), 500, 429, none.
         Times=N applies it to the next N API requests only (default: until reset);
         Every=N to every N-th API request only (the others are answered as usual).
    POST /_fake/reset                     forget everything above

By hand: `python -m twofactor.factors.sms.testing.fake_verify --port 4011` prints each code it
sends; run the site with
TWOFACTOR_VERIFY_BACKEND=twofactor.factors.sms.backends.twilio.TwilioVerifyBackend,
TWILIO_VERIFY_API_URL=http://127.0.0.1:4011 and any well-formed AC.../VA... SIDs.
"""

import argparse
import base64
import json
import re
import secrets
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

VALIDITY_SECONDS = 600
MAX_SENDS = 5
MAX_CHECKS = 5
DEFAULT_HANG_SECONDS = 30.0

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
SERVICE_SID = re.compile(r"^VA[0-9a-fA-F]{32}$")
PUBLIC_URL = "https://verify.twilio.com"

ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    60200: "Invalid parameter",
    60202: "Max check attempts reached",
    60203: "Max send attempts reached",
    60205: "SMS is not supported by landline phone number",
    60410: "Verification delivery attempt blocked",
    60605: "Verification delivery to this country is blocked by Geo Permissions",
    60217: "A Rate Limit with this UniqueName already exists",
}
# The service's settings that `twofactor_check` reads, as a well-kept service has them.
SERVICE_DEFAULTS = {
    "code_length": 6,
    "do_not_share_warning_enabled": True,
    "lookup_enabled": True,
    "skip_sms_to_landlines": True,
}


class FakeError(Exception):
    def __init__(self, *, status: int, code: int, message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code, "Error")

    def payload(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


@dataclass
class Verification:
    sid: str
    service_sid: str
    account_sid: str
    to: str
    channel: str
    code: str
    created_at: float
    updated_at: float
    status: str = "pending"
    sends: list[tuple[float, str, str]] = field(default_factory=list)  # (time, channel, sid)
    checks: int = 0

    def _common_json(self) -> dict:
        """The fields a Verification and a VerificationCheck share."""
        return {
            "sid": self.sid,
            "service_sid": self.service_sid,
            "account_sid": self.account_sid,
            "to": self.to,
            "channel": self.channel,
            "status": self.status,
            "valid": self.status == "approved",
            "amount": None,
            "payee": None,
            "date_created": _iso(self.created_at),
            "date_updated": _iso(self.updated_at),
        }

    def as_json(self) -> dict:
        return {
            **self._common_json(),
            "lookup": {},
            "send_code_attempts": [
                {"time": _iso(when), "channel": channel.upper(), "attempt_sid": attempt_sid}
                for when, channel, attempt_sid in self.sends
            ],
            "sna": None,
            "url": f"{PUBLIC_URL}/v2/Services/{self.service_sid}/Verifications/{self.sid}",
        }

    def check_json(self) -> dict:
        return {
            **self._common_json(),
            "sna_attempts_error_codes": [],
        }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(value: str) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise FakeError(status=400, code=60200, message="Invalid parameter: date") from None


def _country_of(number: str) -> str:
    # Imported here: the fake's other routes run without phonenumbers.
    import phonenumbers

    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number)) or ""
    except phonenumbers.NumberParseException:
        return ""


def _meta(key: str, service_sid: str, path: str) -> dict:
    url = f"{PUBLIC_URL}/v2/Services/{service_sid}/{path}?PageSize=50&Page=0"
    return {
        "page": 0,
        "page_size": 50,
        "first_page_url": url,
        "previous_page_url": None,
        "next_page_url": None,
        "key": key,
        "url": url,
    }


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class Fault:
    mode: str  # latency | hang | error
    seconds: float = 0.0
    status: int = 500
    code: int = 20500
    times: int = 0  # 0: until reset
    every: int = 1  # only every N-th API request meets it (the others are answered)
    seen: int = 0


class FakeVerifyState:
    """Everything the fake knows; every method takes the lock."""

    def __init__(self, *, echo: bool = False) -> None:
        self.lock = threading.Lock()
        self.echo = echo
        self.release = threading.Event()  # set at reset: hanging requests answer at once
        self._clear()

    def _clear(self) -> None:
        self.offset = 0.0
        self.verifications: dict[tuple[str, str], Verification] = {}  # (service, to)
        self.messages: list[dict] = []
        self.blocked: dict[str, int] = {}
        self.landlines: set[str] = set()
        self.fault: Fault | None = None
        # Every send: (time, service, to, channel, verification sid); approved sids.
        self.attempts: list[tuple[float, str, str, str, str]] = []
        self.converted: set[str] = set()
        self.service_settings: dict[str, object] = dict(SERVICE_DEFAULTS)
        self.rate_limits: dict[str, list[dict]] = {}  # service sid -> its rate limits

    def reset(self) -> None:
        with self.lock:
            self._clear()
            self.release.set()
            self.release = threading.Event()

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.offset += seconds

    def take_fault(self) -> tuple[Fault | None, threading.Event]:
        with self.lock:
            fault = self.fault
            if fault is not None and fault.every > 1:
                fault.seen += 1
                if fault.seen % fault.every:
                    return None, self.release
            if fault is not None and fault.times:
                fault.times -= 1
                if fault.times == 0:
                    self.fault = None
            return fault, self.release

    def _live(self, service_sid: str, to: str) -> Verification | None:
        verification = self.verifications.get((service_sid, to))
        if verification is None:
            return None
        if verification.status != "pending" or self.now() >= (
            verification.created_at + VALIDITY_SECONDS
        ):
            del self.verifications[(service_sid, to)]
            return None
        return verification

    def start(self, *, service_sid: str, account_sid: str, to: str, channel: str) -> dict:
        if not to:
            raise FakeError(status=400, code=60200, message="Invalid parameter: To")
        if not E164.match(to):
            raise FakeError(status=400, code=60200, message="Invalid parameter `To`")
        if channel not in ("sms", "call"):
            raise FakeError(status=400, code=60200, message="Invalid parameter: Channel")
        with self.lock:
            if to in self.blocked:
                code = self.blocked[to]
                raise FakeError(status=403, code=code)
            if channel == "sms" and to in self.landlines:
                raise FakeError(status=400, code=60205)
            now = self.now()
            verification = self._live(service_sid, to)
            if verification is None:
                verification = Verification(
                    sid=_sid("VE"),
                    service_sid=service_sid,
                    account_sid=account_sid,
                    to=to,
                    channel=channel,
                    code=f"{secrets.randbelow(10**6):06d}",
                    created_at=now,
                    updated_at=now,
                )
                self.verifications[(service_sid, to)] = verification
            elif len(verification.sends) >= MAX_SENDS:
                raise FakeError(status=429, code=60203)
            verification.channel = channel
            verification.updated_at = now
            verification.sends.append((now, channel, _sid("VL")))
            self.attempts.append((now, service_sid, to, channel, verification.sid))
            self.messages.append(
                {
                    "to": to,
                    "channel": channel,
                    "code": verification.code,
                    "sid": verification.sid,
                    "sent_at": _iso(now),
                }
            )
            if self.echo:
                print(f"[fake-verify] {channel} to {to}: code {verification.code}", flush=True)
            return verification.as_json()

    def check(self, *, service_sid: str, to: str, verification_sid: str, code: str) -> dict:
        if not code:
            raise FakeError(status=400, code=60200, message="Invalid parameter: Code")
        if not to and not verification_sid:
            raise FakeError(
                status=400, code=60200, message="Either a 'To' or 'VerificationSid' is required"
            )
        with self.lock:
            if not to:
                to = next(
                    (v.to for v in self.verifications.values() if v.sid == verification_sid), ""
                )
            verification = self._live(service_sid, to)
            if verification is None:
                raise FakeError(status=404, code=20404)
            if verification.checks >= MAX_CHECKS:
                raise FakeError(status=429, code=60202)
            verification.checks += 1
            verification.updated_at = self.now()
            if secrets.compare_digest(verification.code.encode(), code.encode()):
                verification.status = "approved"
                self.converted.add(verification.sid)
                del self.verifications[(service_sid, verification.to)]
            return verification.check_json()

    def update(self, *, service_sid: str, sid: str, status: str) -> dict:
        """Cancel or approve; `sid` is the verification's SID or its To number."""
        if status not in ("canceled", "approved"):
            raise FakeError(status=400, code=60200, message="Invalid parameter: Status")
        with self.lock:
            for key, verification in list(self.verifications.items()):
                if (
                    key[0] == service_sid
                    and sid in (verification.sid, verification.to)
                    and self._live(*key) is not None
                ):
                    verification.status = status
                    verification.updated_at = self.now()
                    if status == "approved":
                        self.converted.add(verification.sid)
                    del self.verifications[key]
                    return verification.as_json()
        raise FakeError(status=404, code=20404)

    def attempts_summary(self, *, query: dict[str, str]) -> dict:
        """Verify's Attempts Summary: every filter is optional."""
        after = _parse_iso(query.get("DateCreatedAfter", ""))
        before = _parse_iso(query.get("DateCreatedBefore", ""))
        service = query.get("VerifyServiceSid", "")
        country = query.get("Country", "").upper()
        prefix = query.get("DestinationPrefix", "")
        channel = query.get("Channel", "")
        with self.lock:
            chosen = [
                sid
                for when, service_sid, to, sent_channel, sid in self.attempts
                if (not service or service_sid == service)
                and (after is None or when >= after)
                and (before is None or when < before)
                and (not country or _country_of(to) == country)
                and (not prefix or to.startswith(prefix))
                and (not channel or sent_channel == channel)
            ]
            converted = sum(1 for sid in chosen if sid in self.converted)
        total = len(chosen)
        return {
            "total_attempts": total,
            "total_converted": converted,
            "total_unconverted": total - converted,
            "conversion_rate_percentage": f"{100 * converted / total:.9f}" if total else None,
            "url": f"{PUBLIC_URL}/v2/Attempts/Summary",
        }

    def list_rate_limits(self, *, service_sid: str) -> dict:
        with self.lock:
            limits = self.rate_limits.get(service_sid, [])
            listed = [self._rate_limit_json(limit) for limit in limits]
        return {"rate_limits": listed, "meta": _meta("rate_limits", service_sid, "RateLimits")}

    def create_rate_limit(
        self, *, service_sid: str, account_sid: str, unique_name: str, description: str
    ) -> dict:
        if not unique_name:
            raise FakeError(status=400, code=60200, message="Invalid parameter: UniqueName")
        with self.lock:
            limits = self.rate_limits.setdefault(service_sid, [])
            if any(limit["unique_name"] == unique_name for limit in limits):
                raise FakeError(status=409, code=60217)
            now = _iso(self.now())
            limit = {
                "sid": _sid("RK"),
                "service_sid": service_sid,
                "account_sid": account_sid,
                "unique_name": unique_name,
                "description": description,
                "date_created": now,
                "date_updated": now,
                "buckets": [],
            }
            limits.append(limit)
            return self._rate_limit_json(limit)

    def _find_rate_limit(self, service_sid: str, sid: str) -> dict:
        for limit in self.rate_limits.get(service_sid, []):
            if sid in (limit["sid"], limit["unique_name"]):
                return limit
        raise FakeError(status=404, code=20404)

    def list_buckets(self, *, service_sid: str, rate_limit_sid: str) -> dict:
        with self.lock:
            limit = self._find_rate_limit(service_sid, rate_limit_sid)
            buckets = list(limit["buckets"])
        path = f"RateLimits/{limit['sid']}/Buckets"
        return {"buckets": buckets, "meta": _meta("buckets", service_sid, path)}

    def create_bucket(self, *, service_sid: str, rate_limit_sid: str, max_: str, interval: str):
        try:
            maximum, seconds = int(max_), int(interval)
        except ValueError:
            raise FakeError(
                status=400, code=60200, message="Invalid parameter: Max, Interval"
            ) from None
        with self.lock:
            limit = self._find_rate_limit(service_sid, rate_limit_sid)
            now = _iso(self.now())
            bucket_sid = _sid("BL")
            bucket = {
                "sid": bucket_sid,
                "rate_limit_sid": limit["sid"],
                "service_sid": service_sid,
                "account_sid": limit["account_sid"],
                "max": maximum,
                "interval": seconds,
                "date_created": now,
                "date_updated": now,
                "url": f"{PUBLIC_URL}/v2/Services/{service_sid}/RateLimits/{limit['sid']}"
                f"/Buckets/{bucket_sid}",
            }
            limit["buckets"].append(bucket)
            return dict(bucket)

    @staticmethod
    def _rate_limit_json(limit: dict) -> dict:
        url = f"{PUBLIC_URL}/v2/Services/{limit['service_sid']}/RateLimits/{limit['sid']}"
        return {
            **{key: value for key, value in limit.items() if key != "buckets"},
            "url": url,
            "links": {"buckets": f"{url}/Buckets"},
        }

    def all_rate_limits(self) -> list[dict]:
        with self.lock:
            return [
                {
                    "sid": limit["sid"],
                    "unique_name": limit["unique_name"],
                    "description": limit["description"],
                    "buckets": [
                        {"max": bucket["max"], "interval": bucket["interval"]}
                        for bucket in limit["buckets"]
                    ],
                }
                for limits in self.rate_limits.values()
                for limit in limits
            ]

    def service(self, *, service_sid: str, account_sid: str) -> dict:
        now = _iso(self.now())
        with self.lock:
            configured = dict(self.service_settings)
        return {
            "sid": service_sid,
            "account_sid": account_sid,
            "friendly_name": "Fake Verify",
            "psd2_enabled": False,
            "dtmf_input_required": False,
            "tts_name": None,
            **configured,
            "custom_code_enabled": False,
            "push": {},
            "totp": {},
            "default_template_sid": None,
            "whatsapp": {},
            "passkeys": {},
            "verify_event_subscription_enabled": False,
            "date_created": now,
            "date_updated": now,
            "url": f"{PUBLIC_URL}/v2/Services/{service_sid}",
            "links": {},
        }


API_ROUTES = [
    ("POST", re.compile(r"^/v2/Services/(?P<service>[^/]+)/Verifications$"), "start"),
    ("POST", re.compile(r"^/v2/Services/(?P<service>[^/]+)/VerificationCheck$"), "check"),
    (
        "POST",
        re.compile(r"^/v2/Services/(?P<service>[^/]+)/Verifications/(?P<sid>[^/]+)$"),
        "update",
    ),
    ("GET", re.compile(r"^/v2/Services/(?P<service>[^/]+)$"), "service"),
    ("GET", re.compile(r"^/v2/Services/(?P<service>[^/]+)/RateLimits$"), "rate_limits"),
    ("POST", re.compile(r"^/v2/Services/(?P<service>[^/]+)/RateLimits$"), "create_rate_limit"),
    (
        "GET",
        re.compile(r"^/v2/Services/(?P<service>[^/]+)/RateLimits/(?P<sid>[^/]+)/Buckets$"),
        "buckets",
    ),
    (
        "POST",
        re.compile(r"^/v2/Services/(?P<service>[^/]+)/RateLimits/(?P<sid>[^/]+)/Buckets$"),
        "create_bucket",
    ),
]


class Handler(BaseHTTPRequestHandler):
    server: "FakeVerifyServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: the codes are printed by the state when echo is on

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        return {key: values[-1] for key, values in urllib.parse.parse_qs(body).items()}

    def _send_json(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests): nothing to answer

    def _dispatch(self, method: str) -> None:
        path = urllib.parse.urlsplit(self.path).path
        form = self._form() if method == "POST" else {}
        state = self.server.state
        if path.startswith("/_fake/"):
            self._control(method, path, form)
            return
        fault, release = state.take_fault()
        if fault is not None:
            if fault.mode in ("latency", "hang"):
                # A hang is released early by a reset, so no thread outlives its test;
                # released so, it does nothing (its caller gave up long ago), or it
                # would send a code into the next test's fresh state.
                if release.wait(fault.seconds):
                    self._send_json(500, FakeError(status=500, code=20500).payload())
                    return
            elif fault.mode == "error":
                self._send_json(
                    fault.status, FakeError(status=fault.status, code=fault.code).payload()
                )
                return
        try:
            account_sid = self._account_sid()
            payload, status = self._api(method, path, form, account_sid)
        except FakeError as error:
            self._send_json(error.status, error.payload())
            return
        self._send_json(status, payload)

    def _account_sid(self) -> str:
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                user, _, token = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                user, token = "", ""
            if ACCOUNT_SID.match(user) and token:
                return user
        raise FakeError(status=401, code=20003)

    def _api(self, method: str, path: str, form: dict, account_sid: str) -> tuple[dict, int]:
        state = self.server.state
        if method == "GET" and path == "/v2/Attempts/Summary":
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            return state.attempts_summary(
                query={key: values[-1] for key, values in query.items()}
            ), 200
        for route_method, pattern, action in API_ROUTES:
            match = pattern.match(path)
            if route_method != method or match is None:
                continue
            service_sid = match["service"]
            if not SERVICE_SID.match(service_sid):
                raise FakeError(status=404, code=20404)
            if action == "start":
                return state.start(
                    service_sid=service_sid,
                    account_sid=account_sid,
                    to=form.get("To", ""),
                    channel=form.get("Channel", ""),
                ), 201
            if action == "check":
                return state.check(
                    service_sid=service_sid,
                    to=form.get("To", ""),
                    verification_sid=form.get("VerificationSid", ""),
                    code=form.get("Code", ""),
                ), 200
            if action == "update":
                return state.update(
                    service_sid=service_sid,
                    sid=urllib.parse.unquote(match["sid"]),
                    status=form.get("Status", ""),
                ), 200
            if action == "rate_limits":
                return state.list_rate_limits(service_sid=service_sid), 200
            if action == "create_rate_limit":
                return state.create_rate_limit(
                    service_sid=service_sid,
                    account_sid=account_sid,
                    unique_name=form.get("UniqueName", ""),
                    description=form.get("Description", ""),
                ), 201
            if action == "buckets":
                return state.list_buckets(service_sid=service_sid, rate_limit_sid=match["sid"]), 200
            if action == "create_bucket":
                return state.create_bucket(
                    service_sid=service_sid,
                    rate_limit_sid=match["sid"],
                    max_=form.get("Max", ""),
                    interval=form.get("Interval", ""),
                ), 201
            return state.service(service_sid=service_sid, account_sid=account_sid), 200
        raise FakeError(status=404, code=20404)

    def _control(self, method: str, path: str, form: dict[str, str]) -> None:
        state = self.server.state
        name = path.removeprefix("/_fake/").strip("/")
        if method == "GET" and name == "messages":
            # ?to=+1555... narrows the list to one number (the load test asks often).
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            to = query.get("to", [""])[-1]
            with state.lock:
                self._send_json(
                    200, [message for message in state.messages if not to or message["to"] == to]
                )
            return
        if method == "GET" and name == "rate_limits":
            self._send_json(200, state.all_rate_limits())
            return
        if method != "POST":
            self._send_json(405, {"error": "POST the controls"})
            return
        try:
            if name == "reset":
                state.reset()
            elif name == "advance":
                state.advance(float(form["Seconds"]))
            elif name == "block":
                code = int(form.get("Code", "60410"))
                if code not in (60410, 60605):
                    raise ValueError("Code must be 60410 or 60605")
                with state.lock:
                    state.blocked[form["To"]] = code
            elif name == "landline":
                with state.lock:
                    state.landlines.add(form["To"])
            elif name == "service":
                settings = _parse_service_settings(form)
                with state.lock:
                    state.service_settings.update(settings)
            elif name == "fault":
                state_fault = _parse_fault(form)
                with state.lock:
                    state.fault = state_fault
            else:
                self._send_json(404, {"error": f"no control {name!r}"})
                return
        except (KeyError, ValueError) as exc:
            self._send_json(400, {"error": f"bad control request: {exc}"})
            return
        self._send_json(200, {"ok": True})


def _parse_service_settings(form: dict[str, str]) -> dict[str, object]:
    parsed: dict[str, object] = {}
    for name, value in form.items():
        if name not in SERVICE_DEFAULTS:
            raise ValueError(f"unknown service setting {name!r}")
        if name == "code_length":
            parsed[name] = int(value)
        elif value in ("true", "false"):
            parsed[name] = value == "true"
        else:
            raise ValueError(f"{name} must be true or false")
    return parsed


def _parse_fault(form: dict[str, str]) -> Fault | None:
    mode = form["Mode"]
    counts = {"times": int(form.get("Times", "0")), "every": max(int(form.get("Every", "1")), 1)}
    if mode == "none":
        return None
    if mode == "latency":
        return Fault(mode="latency", seconds=float(form["Seconds"]), **counts)
    if mode == "hang":
        seconds = float(form.get("Seconds", DEFAULT_HANG_SECONDS))
        return Fault(mode="hang", seconds=seconds, **counts)
    if mode == "500":
        return Fault(mode="error", status=500, code=20500, **counts)
    if mode == "429":
        return Fault(mode="error", status=429, code=20429, **counts)
    if mode == "error":
        return Fault(mode="error", status=int(form["Status"]), code=int(form["Code"]), **counts)
    raise ValueError(f"unknown Mode {mode!r}")


class FakeVerifyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, echo: bool = False) -> None:
        super().__init__((host, port), Handler)
        self.state = FakeVerifyState(echo=echo)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}"

    def start_in_thread(self) -> "FakeVerifyServer":
        self._thread = threading.Thread(target=self.serve_forever, name="fake-verify", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.reset()  # releases hanging handlers
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def free_port(*, host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (also: a closed port for 'connection refused')."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class FakeVerifyControl:
    """The /_fake/ controls over HTTP (what the `fake_verify` fixture yields)."""

    def __init__(self, *, url: str) -> None:
        self.url = url.rstrip("/")

    def _post(self, name: str, **form: object) -> None:
        response = requests.post(f"{self.url}/_fake/{name}", data=form, timeout=5)
        response.raise_for_status()

    def messages(self, *, to: str = "") -> list[dict]:
        params = {"to": to} if to else None
        response = requests.get(f"{self.url}/_fake/messages", params=params, timeout=5)
        response.raise_for_status()
        return response.json()

    def last_code(self, *, to: str) -> str:
        codes = [message["code"] for message in self.messages(to=to)]
        if not codes:
            raise LookupError(f"the fake sent no code to {to}")
        return codes[-1]

    def block(self, *, to: str, code: int = 60410) -> None:
        self._post("block", To=to, Code=code)

    def landline(self, *, to: str) -> None:
        self._post("landline", To=to)

    def advance(self, *, seconds: float) -> None:
        self._post("advance", Seconds=seconds)

    def configure_service(self, **settings: object) -> None:
        """The service's settings, e.g. code_length=4, lookup_enabled=False."""
        form = {
            name: (str(value).lower() if isinstance(value, bool) else value)
            for name, value in settings.items()
        }
        self._post("service", **form)

    def rate_limits(self) -> list[dict]:
        response = requests.get(f"{self.url}/_fake/rate_limits", timeout=5)
        response.raise_for_status()
        return response.json()

    def fault(self, *, mode: str, times: int = 0, **options: object) -> None:
        """mode: latency/hang (seconds=), error (status=, code=), "500", "429", "none";
        every=N: only every N-th API request meets it."""
        form = {key.capitalize(): value for key, value in options.items()}
        self._post("fault", Mode=mode, Times=times, **form)

    def reset(self) -> None:
        self._post("reset")


def serve(
    *, host: str, port: int, echo: bool = True, ready: Callable[[str], None] | None = None
) -> None:
    server = FakeVerifyServer(host=host, port=port, echo=echo)
    if ready is not None:
        ready(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A stateful fake of Twilio Verify v2.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4011)
    args = parser.parse_args(argv)

    def ready(url: str) -> None:
        print(
            f"Fake Twilio Verify on {url} - run the site with\n"
            "  TWOFACTOR_VERIFY_BACKEND=twofactor.factors.sms.backends.twilio.TwilioVerifyBackend\n"
            f"  TWILIO_VERIFY_API_URL={url}\n"
            "  and any well-formed TWILIO_ACCOUNT_SID=AC... / TWILIO_VERIFY_SERVICE_SID=VA...\n"
            "Codes sent are printed below. Ctrl-C to stop.",
            flush=True,
        )

    serve(host=args.host, port=args.port, ready=ready)
    sys.exit(0)


if __name__ == "__main__":
    main()
