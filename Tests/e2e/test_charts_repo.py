"""`platform charts package|index|lock|pull`, then `render` and `plan --sim`, against a real
Helm repository on loopback: Python's http.server behind TLS (a throwaway CA made with
openssl), basic and bearer auth enforced, charts copied from shared/charts and packaged
by `platform charts package`, index.yaml written by `platform charts index`.

Every failure case (digest mismatch, truncated download, missing version, 401, 403, 404,
bad CA) must give a clear error and leave the chart cache without a file."""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from conftest import PLATFORM_BIN, ROOT, SHARED_DIR

USER, PASSWORD, TOKEN = "alice", "s3cret-pw", "tok-123"

SERVER = r'''
import base64, http.server, os, signal, socketserver, ssl, sys, threading
signal.pthread_sigmask(signal.SIG_UNBLOCK, signal.valid_signals())
threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
root, user, password, token, cert, key = sys.argv[1:7]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k): super().__init__(*a, directory=root, **k)
    def log_message(self, *a): pass
    def authorized(self):
        h = self.headers.get("Authorization", "")
        return h == "Bearer " + token or h == "Basic " + base64.b64encode((user + ":" + password).encode()).decode()
    def do_GET(self):
        if self.path.startswith("/forbidden/"):
            self.send_response(403); self.send_header("Content-Length", "0"); self.end_headers(); return
        if not self.authorized():
            self.send_response(401); self.send_header("WWW-Authenticate", 'Basic realm="charts"')
            self.send_header("Content-Length", "0"); self.end_headers(); return
        if self.path.startswith("/truncated/"):
            data = open(os.path.join(root, os.path.basename(self.path)), "rb").read()
            self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
            self.wfile.write(data[: len(data) // 2]); self.wfile.flush(); self.close_connection = True; return
        return super().do_GET()
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
'''


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_certs(d):
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", f"{d}/ca-key.pem", "-out", f"{d}/ca.pem", "-days", "2", "-subj", "/CN=charts test CA")
    openssl("req", "-x509", *ec, "-keyout", f"{d}/other-key.pem", "-out", f"{d}/other-ca.pem", "-days", "2", "-subj", "/CN=other CA")
    openssl("req", *ec, "-keyout", f"{d}/server-key.pem", "-out", f"{d}/server.csr", "-subj", "/CN=127.0.0.1")
    Path(f"{d}/ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca-key.pem", "-CAcreateserial",
            "-out", f"{d}/server.pem", "-days", "2", "-extfile", f"{d}/ext.cnf")


def platform(*args, env=None, check=True, timeout=300):
    r = subprocess.run([PLATFORM_BIN, *args], capture_output=True, text=True, env=env, timeout=timeout)
    if check:
        assert r.returncode == 0, f"platform {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r


def stage_chart(src, dst, version):
    """A copy of a shared chart whose Chart.yaml carries the release version (the GPU
    Operator's source tree says v1.0.0-devel; published archives carry the release)."""
    shutil.copytree(src, dst)
    chart_yaml = Path(dst) / "Chart.yaml"
    text = re.sub(r"(?m)^version:.*$", f"version: {version}", chart_yaml.read_text())
    chart_yaml.write_text(text)
    return dst


class Repo:
    """The served repository plus a profile whose charts come from it."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="charts-repo-"))
        self.certs = self.dir / "certs"
        self.certs.mkdir()
        make_certs(self.certs)
        self.root = self.dir / "repo"
        self.root.mkdir()
        src = self.dir / "src"
        src.mkdir()
        charts = [stage_chart(SHARED_DIR / "charts" / "gpu-operator-v26.7.0", src / "gpu-operator", "v26.7.0"),
                  stage_chart(SHARED_DIR / "charts" / "kueue-0.19.2", src / "kueue", "0.19.2")]
        out = platform("charts", "package", *map(str, charts), "--destination", str(self.root)).stdout
        assert "gpu-operator-v26.7.0.tgz" in out and "kueue-0.19.2.tgz" in out, out
        platform("charts", "index", str(self.root))
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(self.root), USER, PASSWORD, TOKEN,
                                      str(self.certs / "server.pem"), str(self.certs / "server-key.pem")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url = f"https://127.0.0.1:{int(self.proc.stdout.readline())}"
        self.profile_dir = self.dir / "profile"
        self.profile_dir.mkdir()
        self.profile = self.write_profile(self.url)

    def write_profile(self, url, name="h100-mig.yaml", kueue_version="0.19.2"):
        text = (ROOT / "Profiles" / "h100-mig.yaml").read_text()
        text = re.sub(r"gpu-operator: \{[^}]*\}", f"gpu-operator: {{ source: {url}, version: v26.7.0 }}", text)
        text = re.sub(r"kueue: \{[^}]*\}", f"kueue: {{ source: {url}, version: {kueue_version} }}", text)
        path = self.profile_dir / name
        path.write_text(text)
        return path

    def sha256(self, name):
        return "sha256:" + hashlib.sha256((self.root / name).read_bytes()).hexdigest()

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def repo():
    r = Repo()
    yield r
    r.stop()


def env_for(cache, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PLATFORM_CHART_MIRROR", "PLATFORM_REPO_TOKEN", "PLATFORM_REPO_PASSWORD")}
    env["XDG_CACHE_HOME"] = str(cache)
    env.update(extra)
    return env


def cache_files(cache):
    root = Path(cache) / "platform" / "charts"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_lock_pull_render_and_plan_from_the_repository(repo, tmp_path):
    env = env_for(tmp_path / "cache", PLATFORM_REPO_PASSWORD=PASSWORD)
    auth = ["--username", USER, "--ca-file", str(repo.certs / "ca.pem")]
    r = platform("charts", "lock", str(repo.profile), *auth, env=env)
    lock = (repo.profile_dir / "platform.lock").read_text()
    # The lock pins exactly what the repository serves.
    for chart, archive in [("gpu-operator", "gpu-operator-v26.7.0.tgz"), ("kueue", "kueue-0.19.2.tgz")]:
        assert re.search(rf"{chart}:\n\s+digest: {repo.sha256(archive)}\n\s+source: {re.escape(repo.url)}\n\s+version: \S+\n", lock), lock
    assert PASSWORD not in lock and PASSWORD not in r.stdout + r.stderr
    files = cache_files(tmp_path / "cache")
    assert f"sha256/{repo.sha256('kueue-0.19.2.tgz')[7:]}.tgz" in files and not [f for f in files if ".tmp-" in f]

    # pull with a bearer token instead; everything is cached already.
    platform("charts", "pull", str(repo.profile), "--token", TOKEN, "--ca-file", str(repo.certs / "ca.pem"), env=env)

    # render and plan read the cache only: no mirror, no credentials, repository stopped or not.
    out = tmp_path / "render"
    r = platform("render", str(repo.profile), "--out", str(out), env=env_for(tmp_path / "cache"))
    assert "rendered" in r.stdout
    assert any("gpu-operator-v26.7.0" in p.read_text() for p in out.rglob("*.yaml")), "chart label of the repository's archive"
    r = platform("plan", str(repo.profile), "--sim", env=env_for(tmp_path / "cache"))
    assert r.returncode == 0 and r.stdout.strip(), r.stderr


def test_cache_dir_flag_is_honoured_by_pull_render_and_plan(repo, tmp_path):
    # A cache outside $XDG_CACHE_HOME (CI workspaces): charts pull/render/plan all take --cache-dir.
    custom = tmp_path / "ci-cache"
    env = env_for(tmp_path / "default-cache", PLATFORM_REPO_TOKEN=TOKEN)
    platform("charts", "lock", str(repo.profile), "--ca-file", str(repo.certs / "ca.pem"), "--cache-dir", str(custom), env=env)
    assert list((custom / "sha256").glob("*.tgz")) and cache_files(tmp_path / "default-cache") == []
    plain = env_for(tmp_path / "default-cache")
    r = platform("render", str(repo.profile), "--out", str(tmp_path / "r"), "--cache-dir", str(custom), env=plain)
    assert "rendered" in r.stdout
    r = platform("plan", str(repo.profile), "--sim", "--cache-dir", str(custom), env=plain)
    assert r.returncode == 0 and "Plan:" in r.stdout, r.stderr
    # Without the flag the default cache is read: it is empty, so the pinned charts are missing.
    r = platform("render", str(repo.profile), "--out", str(tmp_path / "r2"), env=plain, check=False)
    assert r.returncode == 1 and "platform charts pull" in r.stderr, r.stderr


def test_helm_repositories_yaml_supplies_login_and_ca(repo, tmp_path):
    # What `helm repo add --username --password --ca-file` writes; no credential or CA flags.
    d = tmp_path / "p"
    d.mkdir()
    profile = Path(shutil.copy(repo.profile, d / "profile.yaml"))
    repos = tmp_path / "repositories.yaml"
    repos.write_text(f"""apiVersion: ""
repositories:
- name: private
  url: {repo.url}/
  username: {USER}
  password: {PASSWORD}
  caFile: {repo.certs / "ca.pem"}
""")
    r = platform("charts", "lock", str(profile), "--repository-config", str(repos), env=env_for(tmp_path / "cache"))
    assert (d / "platform.lock").exists() and PASSWORD not in r.stdout + r.stderr
    # Helm's environment variable works the same; a wrong password in the file is refused.
    repos.write_text(repos.read_text().replace(f"password: {PASSWORD}", "password: wrong-one"))
    r = platform("charts", "pull", str(profile), env=env_for(tmp_path / "cache2", HELM_REPOSITORY_CONFIG=str(repos)), check=False)
    assert r.returncode == 1 and "401" in r.stderr and "wrong-one" not in r.stderr, r.stderr
    # insecure_skip_tls_verify without a CA: warned about, digests still checked.
    repos.write_text(f"repositories:\n- name: private\n  url: {repo.url}\n  username: {USER}\n  password: {PASSWORD}\n  insecure_skip_tls_verify: true\n")
    r = platform("charts", "pull", str(profile), "--repository-config", str(repos), env=env_for(tmp_path / "cache3"))
    assert "private sets insecure_skip_tls_verify" in r.stderr, r.stderr


def test_a_changed_chart_or_a_stale_lock_is_refused(repo, tmp_path):
    cache = tmp_path / "cache"
    env = env_for(cache, PLATFORM_REPO_TOKEN=TOKEN)
    ca = ["--ca-file", str(repo.certs / "ca.pem")]
    profile = repo.write_profile(repo.url, name="stale.yaml")
    # platform.lock is shared by the profiles of one directory: use a directory of its own.
    d = tmp_path / "p"
    d.mkdir()
    profile = Path(shutil.copy(profile, d / "profile.yaml"))
    platform("charts", "lock", str(profile), *ca, env=env)
    lock_path = d / "platform.lock"
    good = lock_path.read_text()
    want = repo.sha256("kueue-0.19.2.tgz")
    forged = "sha256:" + "0" * 64
    lock_path.write_text(good.replace(want, forged))
    for cmd in (["render", str(profile), "--out", str(tmp_path / "r")], ["plan", str(profile), "--sim"]):
        r = platform(*cmd, env=env_for(cache), check=False)
        assert r.returncode != 0, r.stdout
        assert "kueue" in r.stderr and forged in r.stderr and "platform charts" in r.stderr, r.stderr
    # charts pull against the forged pin: refused, nothing new cached.
    before = cache_files(cache)
    r = platform("charts", "pull", str(profile), *ca, env=env, check=False)
    assert r.returncode != 0 and f"pins {forged} (expected), got {want}" in r.stderr and "platform charts lock" in r.stderr, r.stderr
    assert cache_files(cache) == before
    # A lock that no longer matches the profile (version changed) is refused too.
    lock_path.write_text(good)
    profile.write_text(profile.read_text().replace("version: 0.19.2", "version: 0.19.3"))
    r = platform("render", str(profile), "--out", str(tmp_path / "r2"), env=env_for(cache), check=False)
    assert r.returncode != 0 and "kueue: profile version 0.19.3, locked 0.19.2" in r.stderr and "platform charts lock" in r.stderr, r.stderr
    # No lock file: no verification (the mirror serves the charts as before).
    lock_path.unlink()
    profile.write_text(profile.read_text().replace("version: 0.19.3", "version: 0.19.2"))
    r = platform("render", str(profile), "--out", str(tmp_path / "r3"), "--chart-mirror", str(SHARED_DIR / "charts"),
                 env=env_for(tmp_path / "empty-cache"))
    assert "rendered" in r.stdout


def break_index(repo, tmp_path, name, edit):
    """A second repository directory beside the first, with an edited index.yaml."""
    d = repo.root / name
    d.mkdir(exist_ok=True)
    for tgz in repo.root.glob("*.tgz"):
        shutil.copy(tgz, d / tgz.name)
    (d / "index.yaml").write_text(edit((repo.root / "index.yaml").read_text(), repo))
    return f"{repo.url}/{name}"


# Each breaks only kueue (fetched after gpu-operator), so the error must name kueue.
FAILURES = {
    "digest": (lambda t, r: t.replace(r.sha256("kueue-0.19.2.tgz")[7:], "1" * 64), {}, "digest mismatch"),
    "truncated": (lambda t, r: re.sub(r"- (kueue-0\.19\.2\.tgz)", r"- /truncated/\1", t), {}, "truncated"),
    "missing-version": (lambda t, r: t, {"kueue_version": "0.99.0"}, "has no version 0.99.0"),
    "not-found": (lambda t, r: t.replace("- kueue-0.19.2.tgz", "- kueue-gone.tgz"), {}, "404 Not Found"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_fetch_failures_are_clear_and_cache_nothing(repo, tmp_path, case):
    edit, profile_args, message = FAILURES[case]
    url = break_index(repo, tmp_path, "case-" + case, edit)
    d = tmp_path / "p"
    d.mkdir()
    profile = Path(shutil.copy(repo.write_profile(url, name=f"{case}.yaml", **profile_args), d / "profile.yaml"))
    cache = tmp_path / "cache"
    r = platform("charts", "pull", str(profile), "--ca-file", str(repo.certs / "ca.pem"), env=env_for(cache, PLATFORM_REPO_TOKEN=TOKEN),
                 check=False)
    assert r.returncode != 0 and message in r.stderr and "kueue" in r.stderr, r.stderr
    # Charts before the failing one may be cached (they were verified); nothing of kueue, nothing partial.
    files = cache_files(cache)
    assert not [f for f in files if ".tmp-" in f], files
    kueue = repo.sha256("kueue-0.19.2.tgz")[7:]
    assert f"sha256/{kueue}.tgz" not in files, files
    assert not (d / "platform.lock").exists()


@pytest.mark.parametrize("case", ["401-none", "401-wrong", "403", "bad-ca", "no-ca"])
def test_auth_and_tls_failures_are_clear_and_cache_nothing(repo, tmp_path, case):
    ca = ["--ca-file", str(repo.certs / "ca.pem")]
    args, env_extra, message, url = {
        "401-none": (ca, {}, "401 Unauthorized: the server needs credentials", repo.url),
        "401-wrong": (ca + ["--username", USER], {"PLATFORM_REPO_PASSWORD": "wrong"}, "401 Unauthorized: the server refused", repo.url),
        "403": (ca, {"PLATFORM_REPO_TOKEN": TOKEN}, "403 Forbidden", repo.url + "/forbidden"),
        "bad-ca": (["--ca-file", str(repo.certs / "other-ca.pem")], {"PLATFORM_REPO_TOKEN": TOKEN}, "TLS certificate verification failed", repo.url),
        "no-ca": ([], {"PLATFORM_REPO_TOKEN": TOKEN}, "--ca-file", repo.url),
    }[case]
    d = tmp_path / "p"
    d.mkdir()
    profile = Path(shutil.copy(repo.write_profile(url, name=f"{case}.yaml"), d / "profile.yaml"))
    cache = tmp_path / "cache"
    r = platform("charts", "lock", str(profile), *args, env=env_for(cache, **env_extra), check=False)
    assert r.returncode != 0 and message in r.stderr, r.stderr
    assert "wrong" not in r.stderr and TOKEN not in r.stderr
    assert cache_files(cache) == []
    assert not (d / "platform.lock").exists()


def test_insecure_skip_tls_verify_warns_and_still_checks_digests(repo, tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    profile = Path(shutil.copy(repo.write_profile(repo.url, name="insecure.yaml"), d / "profile.yaml"))
    env = env_for(tmp_path / "cache", PLATFORM_REPO_TOKEN=TOKEN)
    r = platform("charts", "pull", str(profile), "--insecure-skip-tls-verify", env=env)
    assert "warning: --insecure-skip-tls-verify" in r.stderr
    url = break_index(repo, tmp_path, "insecure-digest", FAILURES["digest"][0])
    profile.write_text(profile.read_text().replace(repo.url, url))
    r = platform("charts", "pull", str(profile), "--insecure-skip-tls-verify", env=env_for(tmp_path / "cache2", PLATFORM_REPO_TOKEN=TOKEN),
                 check=False)
    assert r.returncode != 0 and "digest mismatch" in r.stderr, r.stderr


def test_two_processes_fill_one_cache_at_once(repo, tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    profile = Path(shutil.copy(repo.write_profile(repo.url, name="concurrent.yaml"), d / "profile.yaml"))
    env = env_for(tmp_path / "cache", PLATFORM_REPO_TOKEN=TOKEN)
    args = [PLATFORM_BIN, "charts", "pull", str(profile), "--ca-file", str(repo.certs / "ca.pem")]
    procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    files = cache_files(tmp_path / "cache")
    blobs = [f for f in files if f.startswith("sha256/")]
    assert sorted(blobs) == sorted(f"sha256/{repo.sha256(n)[7:]}.tgz" for n in ("gpu-operator-v26.7.0.tgz", "kueue-0.19.2.tgz"))
    assert not [f for f in files if ".tmp-" in f]
    for blob in blobs:
        data = (tmp_path / "cache" / "platform" / "charts" / blob).read_bytes()
        assert "sha256/" + hashlib.sha256(data).hexdigest() + ".tgz" == blob


def test_package_is_reproducible_and_honours_helmignore(tmp_path):
    src = tmp_path / "demo"
    shutil.copytree(SHARED_DIR / "charts" / "kueue-0.19.2", src)
    with open(src / ".helmignore", "a") as f:
        f.write("\n*.bak\n")
    (src / "notes.bak").write_text("ignored")
    a, b = tmp_path / "a", tmp_path / "b"
    platform("charts", "package", str(src), "-d", str(a))
    platform("charts", "package", str(src), "-d", str(b))
    assert (a / "kueue-0.19.2.tgz").read_bytes() == (b / "kueue-0.19.2.tgz").read_bytes()
    names = subprocess.run(["tar", "-tzf", str(a / "kueue-0.19.2.tgz")], capture_output=True, text=True, check=True).stdout.split()
    assert names[0] == "kueue/Chart.yaml" and all(n.startswith("kueue/") for n in names)
    assert "kueue/notes.bak" not in names and "kueue/templates/" not in names
