"""OCI chart sources end to end against a real registry: Debian's `docker-registry` (CNCF
distribution) over TLS with token auth (oci_registry.py runs it and the token server).

`platform charts push` populates the registry and `oras` (an independent OCI client)
checks what it wrote; `oras` pushes a chart with Helm's media types that the tool pulls.
Then a profile whose charts are both `oci://` is locked, pulled, rendered and planned
(`plan --sim`) with no chart mirror. Errors (401, no login, 403/denied, 404, manifest
digest mismatch, wrong layer media type, truncated and corrupted blobs, a connection cut
mid-blob by a proxy) each fail with a
clear message and leave no trace of the failing chart in the cache.
"""
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PLATFORM_BIN, ROOT, SHARED_DIR

oci_registry = pytest.importorskip("oci_registry", reason="the OCI registry harness needs `cryptography` (scripts/setup --tests)")

pytestmark = pytest.mark.skipif(oci_registry.registry_binary() is None,
                                reason="docker-registry is not installed (scripts/setup --tests installs it)")

USERS = ["ci:pw:pull,push", "reader:rpw:pull", "nobody:npw:"]
GPU_OPERATOR = SHARED_DIR / "charts" / "gpu-operator-v26.7.0"
KUEUE = SHARED_DIR / "charts" / "kueue-0.19.2"
HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def platform(*args, cache=None, cwd=None, check=True):
    env = {k: v for k, v in os.environ.items() if k != "PLATFORM_CHART_MIRROR"}  # charts come from the registry only
    env["NO_COLOR"] = "1"
    if cache:
        env["XDG_CACHE_HOME"] = str(cache)
    r = subprocess.run([PLATFORM_BIN, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    if check and r.returncode != 0:
        raise AssertionError(f"platform {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def kueue_variant(tmp, marker):
    """kueue 0.19.2 plus a ConfigMap naming `marker` (distinct bytes per variant: registry
    blobs are shared by digest across repositories), packaged by the tool."""
    src = tmp / f"src-{marker}" / "kueue"
    shutil.copytree(KUEUE, src)
    (src / "templates" / "oci-proof.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {marker}\n  namespace: {{{{ .Release.Namespace }}}}\ndata:\n  from: oci\n")
    out = tmp / f"pkg-{marker}"
    platform("charts", "package", src, "-d", out)
    tgz = out / "kueue-0.19.2.tgz"
    return tgz, tgz.read_bytes()


def oras_client(reg):
    oras_client_mod = pytest.importorskip("oras.client", reason="oras (PyPI) is installed by scripts/setup --tests")
    os.environ["REQUESTS_CA_BUNDLE"] = reg.ca  # oras uses requests; trust the test CA
    c = oras_client_mod.OrasClient(hostname=reg.host, auth_backend="token")
    c.login(username="ci", password="pw", hostname=reg.host)
    return c


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    reg = oci_registry.Registry(oci_registry.parse_users(USERS)).start()
    tmp = tmp_path_factory.mktemp("oci")
    logins = {u.split(":")[0]: reg.docker_config(str(tmp / f"{u.split(':')[0]}.json"), *u.split(":")[:2]) for u in USERS}
    logins["wrong"] = reg.docker_config(str(tmp / "wrong.json"), "reader", "not-the-password")
    (tmp / "empty.json").write_text('{"auths": {}}')
    logins["none"] = str(tmp / "empty.json")
    yield {"reg": reg, "tmp": tmp, "logins": logins}
    reg.stop()


def write_profile(world, name, kueue_source, kueue_version="0.19.2"):
    text = (ROOT / "Profiles" / "h100-mig.yaml").read_text()
    host = world["reg"].host
    text = text.replace("source: https://helm.ngc.nvidia.com/nvidia, version: v26.7.0",
                        f"source: oci://{host}/nvidia/gpu-operator, version: v26.7.0")
    text = text.replace("source: oci://registry.k8s.io/kueue/charts/kueue, version: 0.19.2",
                        f"source: {kueue_source}, version: {kueue_version}")
    assert f"oci://{host}/nvidia/gpu-operator" in text and kueue_source in text
    d = world["tmp"] / f"profile-{name}"
    d.mkdir()
    path = d / "h100-mig.yaml"
    path.write_text(text)
    return path


def remote(world, login):
    return ["--ca-file", world["reg"].ca, "--registry-config", world["logins"][login]]


@pytest.fixture(scope="module")
def pushed(world):
    """gpu-operator pushed by the tool; kueue (with a marker) pushed by oras."""
    reg, tmp = world["reg"], world["tmp"]
    # The chart in the upstream repository says v1.0.0-devel; NVIDIA's release sets the version.
    gpu = tmp / "gpu-src" / "gpu-operator"
    shutil.copytree(GPU_OPERATOR, gpu)
    chart_yaml = gpu / "Chart.yaml"
    chart_yaml.write_text(chart_yaml.read_text().replace("version: v1.0.0-devel", "version: v26.7.0", 1))
    r = platform("charts", "push", gpu, f"oci://{reg.host}/nvidia", *remote(world, "ci"))
    assert f"Pushed: oci://{reg.host}/nvidia/gpu-operator:v26.7.0" in r.stdout, r.stdout
    pushed_manifest = r.stdout.split("Digest: ")[1].split()[0]
    gpu_tgz = tmp / "gpu-pkg" / "gpu-operator-v26.7.0.tgz"
    platform("charts", "package", gpu, "-d", tmp / "gpu-pkg")

    kueue_tgz, kueue_bytes = kueue_variant(tmp, "pulled-from-oci")
    config = tmp / "kueue-config.json"
    config.write_text(json.dumps({"apiVersion": "v2", "name": "kueue", "version": "0.19.2"}))
    c = oras_client(reg)
    cwd = os.getcwd()
    os.chdir(kueue_tgz.parent)  # oras titles layers with the relative path
    try:
        res = c.push(target=f"{reg.host}/charts/kueue:0.19.2", files=[f"{kueue_tgz.name}:{HELM_CHART}"],
                     manifest_config=f"{config}:{HELM_CONFIG}", disable_path_validation=True)
    finally:
        os.chdir(cwd)
    assert res.status_code == 201
    world["gpu_bytes"] = gpu_tgz.read_bytes()
    return {"gpu_bytes": gpu_tgz.read_bytes(), "gpu_manifest": pushed_manifest, "kueue_bytes": kueue_bytes}


def test_oras_reads_what_platform_pushed(world, pushed):
    reg = world["reg"]
    c = oras_client(reg)
    target = f"{reg.host}/nvidia/gpu-operator:v26.7.0"
    manifest = c.get_manifest(target)
    assert manifest["mediaType"] == OCI_MANIFEST
    assert manifest["config"]["mediaType"] == HELM_CONFIG
    assert [l["mediaType"] for l in manifest["layers"]] == [HELM_CHART]
    layer = c.get_blob(target, manifest["layers"][0]["digest"]).content
    assert layer == pushed["gpu_bytes"]  # `charts package` is reproducible: the same archive
    assert manifest["layers"][0]["digest"] == sha256(layer) and manifest["layers"][0]["size"] == len(layer)
    config = json.loads(c.get_blob(target, manifest["config"]["digest"]).content)
    assert config["name"] == "gpu-operator" and config["version"] == "v26.7.0" and config["apiVersion"] == "v2"
    assert reg.tag_digest("nvidia/gpu-operator", "v26.7.0") == pushed["gpu_manifest"]


def test_push_logins_and_refusals(world, pushed, monkeypatch):
    """`charts push` takes --username with $PLATFORM_REPO_PASSWORD; readers are denied."""
    reg, tmp = world["reg"], world["tmp"]
    _, data = kueue_variant(tmp, "pushed-with-flags")
    src = tmp / "src-pushed-with-flags" / "kueue"
    target = f"oci://{reg.host}/flags"
    monkeypatch.setenv("PLATFORM_REPO_PASSWORD", "wrong")
    r = platform("charts", "push", src, target, "--ca-file", reg.ca, "--username", "ci",
                 "--registry-config", world["logins"]["none"], check=False)
    assert r.returncode != 0 and "refused the login" in r.stderr, r.stderr
    r = platform("charts", "push", src, target, *remote(world, "reader"), check=False)
    assert r.returncode != 0 and f"denied: the login for {reg.host} may not push flags/kueue" in r.stderr, r.stderr
    r = platform("charts", "push", src, target, "--ca-file", "/nonexistent/ca.pem", *remote(world, "ci")[2:], check=False)
    assert r.returncode != 0 and "/nonexistent/ca.pem" in r.stderr, r.stderr
    monkeypatch.setenv("PLATFORM_REPO_PASSWORD", "pw")
    r = platform("charts", "push", src, target, "--ca-file", reg.ca, "--username", "ci",
                 "--registry-config", world["logins"]["none"])
    assert f"Pushed: {target}/kueue:0.19.2" in r.stdout
    assert Path(reg.blob_path(sha256(data))).read_bytes() == data


def test_lock_pull_render_and_plan_an_oci_profile(world, pushed):
    reg, tmp = world["reg"], world["tmp"]
    profile = write_profile(world, "good", f"oci://{reg.host}/charts/kueue")
    cache = tmp / "cache-good"
    r = platform("charts", "lock", profile, *remote(world, "reader"), cache=cache)
    lock = (profile.parent / "platform.lock").read_text()
    assert sha256(pushed["kueue_bytes"]) in lock, lock     # what oras pushed
    assert sha256(pushed["gpu_bytes"]) in lock, lock       # what the tool pushed
    assert pushed["gpu_manifest"] in lock, lock            # the manifest digest is pinned too

    # A fresh cache: pull verifies against the lock; then render and plan offline.
    fresh = tmp / "cache-fresh"
    platform("charts", "pull", profile, *remote(world, "reader"), cache=fresh)
    charts = fresh / "platform" / "charts" / "sha256"
    assert sorted(p.name for p in charts.iterdir()) == sorted(
        sha256(b).split(":")[1] + ".tgz" for b in (pushed["kueue_bytes"], pushed["gpu_bytes"]))
    out = tmp / "rendered"
    platform("render", profile, "--out", out, cache=fresh, cwd=tmp)
    rendered = "".join(p.read_text() for p in out.rglob("*.yaml"))
    assert "name: pulled-from-oci" in rendered   # the kueue from the registry, not a mirror copy
    r = platform("plan", profile, "--sim", cache=fresh, cwd=tmp)
    assert "+ create ConfigMap kueue-system/pulled-from-oci" in r.stdout, r.stdout
    assert "+ create ServiceAccount gpu-operator/gpu-operator" in r.stdout, r.stdout


def test_login_from_a_docker_credential_helper(world, pushed, tmp_path):
    """config.json names a credential helper (credsStore) instead of holding the login, as
    `docker login` writes it on desktops and with ecr-login/gcloud helpers in CI."""
    reg = world["reg"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    asked = tmp_path / "asked"
    helper = bin_dir / "docker-credential-e2e"
    helper.write_text(f"""#!/bin/sh
[ "$1" = get ] || exit 9
read -r server
echo "$server" >> {asked}
if [ "$server" = "{reg.host}" ]; then printf '{{"ServerURL":"%s","Username":"reader","Secret":"rpw"}}' "$server"; exit 0; fi
echo "credentials not found in native keychain"; exit 1
""")
    helper.chmod(0o755)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"auths": {reg.host: {}}, "credsStore": "e2e"}))
    profile = write_profile(world, "helper", f"oci://{reg.host}/charts/kueue")
    env_path = f"{bin_dir}:{os.environ.get('PATH', '')}"
    old = os.environ.get("PATH")
    os.environ["PATH"] = env_path
    try:
        r = platform("charts", "lock", profile, "--ca-file", reg.ca, "--registry-config", config, cache=tmp_path / "cache")
        assert sha256(pushed["kueue_bytes"]) in (profile.parent / "platform.lock").read_text()
        assert "rpw" not in r.stdout + r.stderr
        # Asked once per registry client (each chart), with the registry's host.
        assert set(asked.read_text().split()) == {reg.host}, asked.read_text()
        # The helper named but not installed: the error says which one, nothing is locked.
        config.write_text(json.dumps({"credsStore": "not-installed"}))
        (profile.parent / "platform.lock").unlink()
        r = platform("charts", "lock", profile, "--ca-file", reg.ca, "--registry-config", config,
                     cache=tmp_path / "cache2", check=False)
        assert r.returncode != 0 and "docker-credential-not-installed, which is not on PATH" in r.stderr, r.stderr
        assert not (profile.parent / "platform.lock").exists()
    finally:
        os.environ["PATH"] = old or ""


def expect_failure(world, name, kueue_source, login, text, version="0.19.2", forbidden_digest=None):
    profile = write_profile(world, name, kueue_source, version)
    cache = world["tmp"] / f"cache-{name}"
    r = platform("charts", "lock", profile, *remote(world, login), cache=cache, check=False)
    assert r.returncode != 0, r.stdout
    assert text in r.stderr, r.stderr
    assert not (profile.parent / "platform.lock").exists()
    # Only the good gpu-operator may be cached; nothing of the failing chart, no temporaries.
    root = cache / "platform" / "charts"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
    blobs = [f for f in files if f.startswith("sha256/")]
    assert all(b == "sha256/" + hashlib.sha256(world["gpu_bytes"]).hexdigest() + ".tgz" for b in blobs), files
    assert len([f for f in files if f.startswith("refs/")]) <= 1 and len(files) == len(blobs) + len(
        [f for f in files if f.startswith("refs/")]), files
    if forbidden_digest:
        assert forbidden_digest.split(":")[1] + ".tgz" not in " ".join(files)
    return r.stderr


def test_auth_and_missing_version_errors(world, pushed):
    host = world["reg"].host
    good = f"oci://{host}/charts/kueue"
    # Logins are per registry, so these fail at the first chart (gpu-operator).
    expect_failure(world, "401", good, "wrong", f"refused the login for {host} (wrong username or password?)")
    expect_failure(world, "nologin", good, "none", f"wants a login for {host}; run `docker login {host}`")
    # nobody's login is valid but grants no pull: the token lacks the action (denied).
    expect_failure(world, "403", good, "nobody", f"denied: the login for {host} may not pull nvidia/gpu-operator")
    expect_failure(world, "404", good, "reader", "version 9.9.9 (tag 9.9.9) is not in", version="9.9.9")


def test_corrupt_registry_content_is_refused(world, pushed):
    reg, tmp = world["reg"], world["tmp"]

    # Manifest digest mismatch: the stored manifest no longer hashes to what the tag names.
    _, data = kueue_variant(tmp, "corrupt-manifest")
    src = tmp / "src-corrupt-manifest" / "kueue"
    platform("charts", "push", src, f"oci://{reg.host}/corrupt", *remote(world, "ci"))
    manifest_blob = reg.blob_path(reg.tag_digest("corrupt/kueue", "0.19.2"))
    Path(manifest_blob).write_bytes(Path(manifest_blob).read_bytes() + b"\n")
    expect_failure(world, "manifest", f"oci://{reg.host}/corrupt/kueue", "reader", "manifest digest mismatch",
                   forbidden_digest=sha256(data))

    # Truncated layer: the registry serves half the blob (its size from storage).
    _, data = kueue_variant(tmp, "truncated-layer")
    platform("charts", "push", tmp / "src-truncated-layer" / "kueue", f"oci://{reg.host}/trunc", *remote(world, "ci"))
    Path(reg.blob_path(sha256(data))).write_bytes(data[: len(data) // 2])
    expect_failure(world, "truncated", f"oci://{reg.host}/trunc/kueue", "reader",
                   f"the manifest says {len(data)} bytes, received {len(data) // 2} (truncated)", forbidden_digest=sha256(data))

    # Corrupted layer of the right size.
    _, data = kueue_variant(tmp, "flipped-layer")
    platform("charts", "push", tmp / "src-flipped-layer" / "kueue", f"oci://{reg.host}/flipped", *remote(world, "ci"))
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0xFF
    Path(reg.blob_path(sha256(data))).write_bytes(bytes(flipped))
    expect_failure(world, "flipped", f"oci://{reg.host}/flipped/kueue", "reader", "chart layer digest mismatch",
                   forbidden_digest=sha256(data))

    # Wrong media type: a manifest (pushed with raw API calls) whose layer is an image layer.
    _, data = kueue_variant(tmp, "wrong-type")
    scope = "repository:wrongtype/kueue:pull,push"
    config = b'{"name":"kueue","version":"0.19.2"}'
    for blob in (config, data):
        status, headers, _ = reg.request("POST", "/v2/wrongtype/kueue/blobs/uploads/", "ci", scope, body=b"")
        assert status == 202
        location = headers["Location"]
        status, _, body = reg.request("PUT", location.split(reg.host, 1)[-1] + "&digest=" + sha256(blob), "ci", scope,
                                      body=blob, headers={"Content-Type": "application/octet-stream"})
        assert status == 201, body
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": HELM_CONFIG, "digest": sha256(config), "size": len(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                       "digest": sha256(data), "size": len(data)}]}).encode()
    status, _, body = reg.request("PUT", "/v2/wrongtype/kueue/manifests/0.19.2", "ci", scope, body=manifest,
                                  headers={"Content-Type": OCI_MANIFEST})
    assert status == 201, body
    err = expect_failure(world, "mediatype", f"oci://{reg.host}/wrongtype/kueue", "reader",
                         f"no chart layer of media type {HELM_CHART}", forbidden_digest=sha256(data))
    assert "application/vnd.oci.image.layer.v1.tar+gzip" in err


def test_connection_cut_mid_blob_is_truncated(world, pushed):
    """A proxy that closes the connection halfway through the chart layer."""
    reg = world["reg"]
    proxy = oci_registry.TruncatingProxy(reg)
    try:
        proxy.truncate.add(sha256(pushed["kueue_bytes"]))
        # Same login file, keyed by the proxy's host:port.
        path = world["tmp"] / "proxy.json"
        reg.docker_config(str(path), "reader", "rpw")
        path.write_text(path.read_text().replace(reg.host, proxy.host))
        world["logins"]["proxy"] = str(path)
        text = write_profile(world, "proxy", f"oci://{proxy.host}/charts/kueue").read_text()
        profile = write_profile(world, "proxy-all", f"oci://{proxy.host}/charts/kueue")
        profile.write_text(text.replace(f"oci://{reg.host}/nvidia", f"oci://{proxy.host}/nvidia"))
        cache = world["tmp"] / "cache-proxy"
        r = platform("charts", "lock", profile, *remote(world, "proxy"), cache=cache, check=False)
        assert r.returncode != 0, r.stdout
        assert "download ended early (truncated)" in r.stderr, r.stderr
        assert not (profile.parent / "platform.lock").exists()
        files = [str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()]
        assert not any(hashlib.sha256(pushed["kueue_bytes"]).hexdigest() in f for f in files), files
        assert all(f.endswith(".tgz") or "/refs/" in f for f in files), files  # no temporaries
        # Through the proxy, untouched charts arrive whole.
        proxy.truncate.clear()
        platform("charts", "lock", profile, *remote(world, "proxy"), cache=cache)
    finally:
        proxy.stop()
