"""A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution 2.8)
served over TLS with token auth, plus the token server it trusts.

Used by Tests/e2e/test_charts_oci.py (import `Registry`) and by the Swift tests in
Tests/ChartSourcesTests (run as a script: it prints one JSON line describing the
registry, then serves until SIGTERM, stdin closing or its parent exiting).

Everything is generated per run in a temp directory: a test CA, the registry's server
certificate (127.0.0.1), the token signing key with its self-signed certificate (the
registry's `rootcertbundle`; tokens carry it in the `x5c` header), the registry config
and its storage. The token server checks basic credentials and grants, per user, the
intersection of the requested and the allowed actions (as docker_auth does), so a
wrong password gives 401 and a user without `pull` gets `insufficient_scope`. It also
takes each user's identity token (Docker's `identitytoken`) as an OAuth2 refresh token
(POST grant_type=refresh_token).

    python3 oci_registry.py --user ci:pw:pull,push --user reader:pw:pull --user nobody:pw:
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

REGISTRY_BINARIES = ["/usr/bin/docker-registry", "/usr/bin/registry"]
SERVICE = "platform-test-registry"
ISSUER = "platform-test-token-issuer"


def registry_binary():
    return next((b for b in REGISTRY_BINARIES if os.access(b, os.X_OK)), None)


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_pem(path, cert=None, key=None):
    with open(path, "wb") as f:
        if cert is not None:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        if key is not None:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))


def _certificate(subject, issuer, public_key, signing_key, ca=False, san_ip=None, usage_sign=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
         .public_key(public_key).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                          content_commitment=False, key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
    elif usage_sign:
        # distribution refuses x5c leaf certificates without the digitalSignature usage.
        b = b.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False,
                                          content_commitment=False, key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
    if san_ip:
        import ipaddress
        b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(san_ip)),
                                                         x509.DNSName("localhost")]), critical=False)
        b = b.add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return b.sign(signing_key, hashes.SHA256())


def _die_with_parent():
    """In the registry's child: SIGTERM when the process that started it dies (Linux
    PR_SET_PDEATHSIG), so a crashed test leaves no registry behind."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class TokenIssuer:
    """Docker's token flow: GET /token?service=&scope=... with Basic credentials."""

    def __init__(self, key, cert, users):
        self.key = key
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
        self.users = users  # name -> (password, set(actions))
        self.requests = []  # (user or None, scopes, outcome) for assertions

    def sign(self, subject, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": self.x5c}
        claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": uuid.uuid4().hex, "access": access}
        signing_input = _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return signing_input + "." + _b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def identity_token(self, name):
        """The refresh token (Docker's `identitytoken`) that stands for `name`'s login."""
        return "idt-" + hashlib.sha256(f"{name}:{self.users[name][0]}".encode()).hexdigest()[:24]

    def answer_refresh(self, form):
        """OAuth2 `grant_type=refresh_token` (POST), as clients with an identity token use."""
        if form.get("grant_type", [""])[0] != "refresh_token":
            return 400, {"details": "unsupported grant_type"}, {}
        token = form.get("refresh_token", [""])[0]
        user = next((u for u in self.users if self.identity_token(u) == token), None)
        if user is None:
            self.requests.append((None, [], "401"))
            return 401, {"details": "invalid refresh token"}, {}
        status, body, headers = self.answer("", form, user=user)
        return status, {"access_token": body.get("token"), "expires_in": 300} if status == 200 else body, headers

    def answer(self, authorization, query, user=None):
        """(status, body dict, headers) for a token request."""
        if user is not None:
            pass
        elif authorization.startswith("Basic "):
            try:
                name, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            except Exception:
                name, password = "", None
            entry = self.users.get(name)
            if entry is None or entry[0] != password:
                self.requests.append((name, [], "401"))
                return 401, {"details": "invalid username or password"}, {"WWW-Authenticate": 'Basic realm="token"'}
            user = name
        elif authorization:
            return 401, {"details": "unsupported authorization"}, {"WWW-Authenticate": 'Basic realm="token"'}
        if query.get("service", [""])[0] != SERVICE:
            return 400, {"details": "unknown service"}, {}
        allowed = self.users[user][1] if user else set()
        access = []
        for scope in query.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            granted = [a for a in actions.split(",") if a in allowed]
            access.append({"type": kind, "name": name, "actions": granted})
        self.requests.append((user, query.get("scope", []), "200"))
        token = self.sign(user or "", access)
        return 200, {"token": token, "access_token": token, "expires_in": 300}, {}


class Registry:
    """docker-registry on TLS with token auth. `host` is 127.0.0.1:PORT; `ca` the CA file."""

    def __init__(self, users, workdir=None):
        self.users = users
        self.dir = workdir or tempfile.mkdtemp(prefix="oci-registry-")
        self.proc = None
        self.token_server = None

    # -- set-up -------------------------------------------------------------------------
    def _generate(self):
        d = self.dir
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _certificate("platform test CA", "platform test CA", ca_key.public_key(), ca_key, ca=True)
        server_key = ec.generate_private_key(ec.SECP256R1())
        server = _certificate("127.0.0.1", "platform test CA", server_key.public_key(), ca_key, san_ip="127.0.0.1")
        token_key = ec.generate_private_key(ec.SECP256R1())
        token_cert = _certificate("token signer", "token signer", token_key.public_key(), token_key, usage_sign=True)
        self.ca = os.path.join(d, "ca.crt")
        _write_pem(self.ca, cert=ca)
        self.server_cert, self.server_key = os.path.join(d, "server.crt"), os.path.join(d, "server.key")
        _write_pem(self.server_cert, cert=server)
        _write_pem(self.server_key, key=server_key)
        self.token_bundle = os.path.join(d, "token.crt")
        _write_pem(self.token_bundle, cert=token_cert)
        self.issuer = TokenIssuer(token_key, token_cert, self.users)

    def _serve_tokens(self):
        issuer = self.issuer

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                self.reply(*issuer.answer_refresh(form))

            def reply(self, status, body, headers):
                data = json.dumps(body).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                if url.path != "/token":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.reply(*issuer.answer(self.headers.get("Authorization", ""), urllib.parse.parse_qs(url.query)))

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.server_cert, self.server_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.token_server = server
        self.realm = "https://127.0.0.1:%d/token" % server.server_address[1]

    def start(self, timeout=20):
        binary = registry_binary()
        if binary is None:
            raise RuntimeError("docker-registry is not installed (scripts/setup --tests installs it)")
        self._generate()
        self._serve_tokens()
        self.storage = os.path.join(self.dir, "data")
        port = free_port()
        self.host = "127.0.0.1:%d" % port
        config = os.path.join(self.dir, "config.yml")
        with open(config, "w") as f:
            f.write(f"""version: 0.1
log: {{ level: error, accesslog: {{ disabled: true }} }}
storage:
  filesystem: {{ rootdirectory: {self.storage} }}
  delete: {{ enabled: true }}
  cache: {{}}
http:
  addr: {self.host}
  secret: {uuid.uuid4().hex}
  tls: {{ certificate: {self.server_cert}, key: {self.server_key} }}
auth:
  token:
    realm: {self.realm}
    service: {SERVICE}
    issuer: {ISSUER}
    rootcertbundle: {self.token_bundle}
""")
        self.log = open(os.path.join(self.dir, "registry.log"), "wb")
        self.proc = subprocess.Popen([binary, "serve", config], stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        ctx = ssl.create_default_context(cafile=self.ca)
        deadline = time.time() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("docker-registry exited: " + open(os.path.join(self.dir, "registry.log")).read())
            try:
                urllib.request.urlopen("https://%s/v2/" % self.host, context=ctx, timeout=2)
            except urllib.error.HTTPError as e:
                if e.code == 401:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("docker-registry did not answer on %s" % self.host)
            time.sleep(0.05)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.token_server:
            self.token_server.shutdown()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers for tests --------------------------------------------------------------
    def describe(self):
        return {"host": self.host, "ca": self.ca, "storage": self.storage, "dir": self.dir, "realm": self.realm,
                "identity_tokens": {u: self.issuer.identity_token(u) for u in self.users}}

    def blob_path(self, digest):
        hexd = digest.split(":", 1)[1]
        return os.path.join(self.storage, "docker/registry/v2/blobs/sha256", hexd[:2], hexd, "data")

    def tag_digest(self, repository, tag):
        link = os.path.join(self.storage, "docker/registry/v2/repositories", repository,
                            "_manifests/tags", tag, "current/link")
        with open(link) as f:
            return f.read().strip()

    def docker_config(self, path, username, password):
        """Writes a Docker config.json with a login for this registry."""
        auth = base64.b64encode(f"{username}:{password}".encode()).decode()
        with open(path, "w") as f:
            json.dump({"auths": {self.host: {"auth": auth}}}, f)
        return path

    def token(self, username, scope):
        """A bearer token for `scope` (as a client would get it), for raw API calls in tests."""
        status, body, _ = self.issuer.answer(
            "Basic " + base64.b64encode(f"{username}:{self.users[username][0]}".encode()).decode(),
            {"service": [SERVICE], "scope": [scope]})
        assert status == 200, body
        return body["token"]

    def request(self, method, path, username, scope, body=None, headers=None):
        """A raw registry API call with a token (independent of the tool under test)."""
        req = urllib.request.Request("https://%s%s" % (self.host, path), data=body, method=method,
                                     headers=dict(headers or {}, Authorization="Bearer " + self.token(username, scope)))
        ctx = ssl.create_default_context(cafile=self.ca)
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()


class TruncatingProxy:
    """A TLS proxy in front of the registry that cuts blob downloads short: for a GET of a
    blob whose digest is in `truncate`, it sends the registry's headers (full Content-Length)
    and half the body, then closes the connection, as a broken middlebox would."""

    def __init__(self, registry):
        self.registry = registry
        self.truncate = set()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(registry.server_cert, registry.server_key)
        raw = socket.socket()
        raw.bind(("127.0.0.1", 0))
        raw.listen(16)
        self.sock = ctx.wrap_socket(raw, server_side=True)
        self.host = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.upstream = ssl.create_default_context(cafile=registry.ca)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_head(f):
        lines = []
        while True:
            line = f.readline()
            if not line or line in (b"\r\n", b"\n"):
                return lines
            lines.append(line)

    def _serve(self, conn):
        try:
            f = conn.makefile("rb")
            head = self._read_head(f)
            if not head:
                return
            method, path = head[0].split()[:2]
            headers = [h for h in head[1:] if not h.lower().startswith((b"connection:", b"host:"))]
            length = next((int(h.split(b":", 1)[1]) for h in headers if h.lower().startswith(b"content-length:")), 0)
            body = f.read(length) if length else b""
            host, port = self.registry.host.split(":")
            up = self.upstream.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
            up.sendall(head[0] + b"Host: " + self.registry.host.encode() + b"\r\nConnection: close\r\n"
                       + b"".join(headers) + b"\r\n" + body)
            response = b""
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    break
                response += chunk
            up.close()
            cut = method == b"GET" and any(path.decode().endswith("/blobs/" + d) for d in self.truncate)
            if cut and response.startswith(b"HTTP/1.1 200"):
                split = response.index(b"\r\n\r\n") + 4
                response = response[:split] + response[split:][: (len(response) - split) // 2]
            conn.sendall(response)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    def stop(self):
        self.sock.close()


def parse_users(specs):
    users = {}
    for spec in specs:
        name, password, actions = (spec.split(":", 2) + ["", ""])[:3]
        users[name] = (password, {a for a in actions.split(",") if a})
    return users


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--user", action="append", default=[], help="NAME:PASSWORD:ACTIONS (ACTIONS like pull,push)")
    args = p.parse_args()
    reg = Registry(parse_users(args.user))
    parent = os.getppid()
    # A parent that spawned us from a worker thread (Swift's Process) may leave SIGTERM
    # blocked in our signal mask; unblock it or the test's terminate() never lands.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    try:
        reg.start()
        print(json.dumps(reg.describe()), flush=True)
        # The Swift tests hold our stdin open while they need the registry.
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), done.set()), daemon=True).start()
        # Stop with the test process even when it dies without terminating us.
        while not done.wait(0.5):
            if os.getppid() != parent:
                break
    except Exception as e:
        print(json.dumps({"error": str(e)}), flush=True)
        sys.exit(1)
    finally:
        reg.stop()


if __name__ == "__main__":
    main()
